/**
 * The one form of an address the directory keys people by (address claims, former-paid markers,
 * duplicate checks). Two strings a person would read as the same address must meet here, or one
 * address could become two people — and a paid user could come back as a guest under a variant.
 *
 * NFKC folds compatibility forms (full-width `Ｐａｔ＠…`, ligatures, mathematical letters, the
 * Kelvin sign) into their plain letters; lower-casing then folds case. What is still not ASCII
 * after that (Cyrillic `а` for Latin `a`, Greek `ο` for `o`, a dotted `i̇`) is a look-alike no
 * normalisation can map back reliably, so it is refused rather than stored: SES needs ASCII
 * local parts and punycode domains anyway, and `xn--` labels are ASCII, so no deliverable
 * address is lost.
 *
 * Null: not an address this system accepts (the caller's `invalid_email`).
 */
export function canonicalEmail(raw: string): string | null {
  const canonical = raw.normalize('NFKC').trim().toLowerCase();
  return ASCII_ONLY.test(canonical) ? canonical : null;
}

const ASCII_ONLY = /^[\x00-\x7F]*$/;
