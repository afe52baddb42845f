/**
 * IPv4 CIDR helpers for the config validator. Parsing comes from the `ip-address` library;
 * this module only turns it into numeric ranges so overlap and containment are one comparison.
 */
import { Address4 } from "ip-address";

export interface Cidr {
  /** The text as written in config. */
  readonly text: string;
  readonly prefix: number;
  readonly first: bigint;
  readonly last: bigint;
}

/** Parses an IPv4 CIDR. Returns a reason string instead of throwing when it is malformed. */
export function parseCidr(text: string): Cidr | string {
  if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(text) || !Address4.isValid(text)) {
    return "an IPv4 CIDR such as 10.20.0.0/16";
  }
  const addr = new Address4(text);
  const first = addr.startAddress().bigInt();
  if (addr.bigInt() !== first) {
    return `a network address: the host bits are set (did you mean ${addr.startAddress().address}/${addr.subnetMask}?)`;
  }
  return { text, prefix: addr.subnetMask, first, last: addr.endAddress().bigInt() };
}

export function isIpv4(text: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(text) && Address4.isValid(text);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.first <= b.last && b.first <= a.last;
}

export function contains(outer: Cidr, inner: Cidr): boolean {
  return outer.first <= inner.first && inner.last <= outer.last;
}

export function containsIp(outer: Cidr, ip: string): boolean {
  const value = new Address4(ip).bigInt();
  return outer.first <= value && value <= outer.last;
}

/** The nth address of a range (0 = network address); used to derive e.g. a DNS service IP. */
export function nthAddress(cidr: Cidr, n: number): string {
  return Address4.fromBigInt(cidr.first + BigInt(n)).address;
}
