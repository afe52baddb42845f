import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/**", "out/**", "dist/**", "policy/node_modules/**", "**/*.js", "**/*.mjs"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "off",
      "no-console": "off",
      // The root modules of azure-native and aws make the type-checker read every resource's
      // declarations (~5,600 and ~2,700 files); import submodules.
      "no-restricted-imports": [
        "error",
        {
          paths: [
            { name: "@pulumi/azure-native", message: "import the submodule (e.g. @pulumi/azure-native/network, @pulumi/azure-native/provider)" },
            { name: "@pulumi/aws", message: "import the submodule (e.g. @pulumi/aws/ec2, @pulumi/aws/provider)" },
          ],
        },
      ],
    },
  },
);
