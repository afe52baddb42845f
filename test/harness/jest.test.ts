/**
 * The test harness itself (jest.config.js, test/setup.ts, tools/jest-lazy/): what makes the
 * suite fast must not change what the SDK does.
 */
import * as pulumi from "@pulumi/pulumi";

const LAZY = Symbol.for("k8tre.lazyModule");
/** What the SDK gets when it requires `id`. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdkRequire = (id: string) => require(id);

describe("modules the SDK loads eagerly and the tests never use", () => {
  it("are stand-ins until first use, then the real module", () => {
    const ts = sdkRequire("typescript");
    const arborist = sdkRequire("@npmcli/arborist");
    expect([ts[LAZY], arborist[LAZY]]).toEqual(["typescript", "@npmcli/arborist"]);
    expect(ts.version).toBe(sdkRequire(require.resolve("typescript/package.json", { paths: [__dirname] })).version);
    expect(typeof ts.createSourceFile).toBe("function");
    expect(typeof arborist.Arborist).toBe("function");
  });

  it("still serve the SDK: the closure serializer parses the function with the TypeScript compiler", async () => {
    const serialized = await pulumi.runtime.serializeFunction(() => 6 * 7);
    expect(serialized.text).toContain("return () => 6 * 7;");
  });
});

describe("stack traces in tests", () => {
  it("name the SDK's JavaScript files, not source-mapped TypeScript (jest's source-map-support is bypassed)", () => {
    let stack = "";
    try {
      new pulumi.Config("k8tre").require("no-such-key");
    } catch (e) {
      stack = (e as Error).stack ?? "";
    }
    expect(stack).toMatch(/node_modules\/@pulumi\/pulumi\/config\.js:\d+:\d+/);
    expect(stack).not.toMatch(/config\.ts:/);
    expect(Error.prepareStackTrace).toBeInstanceOf(Function);
  });
});
