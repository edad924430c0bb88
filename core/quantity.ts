// Kubernetes quantities (`512Mi`, `1Gi`, `2G`, `1.5Gi`) as numbers of bytes: what the webhook writes as an
// emptyDir's sizeLimit is what the sidecar budgets its disk with. Pure.

const SUFFIXES: Readonly<Record<string, number>> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

export const QUANTITY_PATTERN = /^([0-9]+(?:\.[0-9]+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

/** Whole bytes of a quantity (rounded down), or undefined when the text is not one. */
export function quantityBytes(text: string): number | undefined {
  const match = QUANTITY_PATTERN.exec(text);
  if (match?.[1] === undefined) return undefined;
  const multiplier = SUFFIXES[match[2] ?? ''] ?? 1;
  return Math.floor(Number(match[1]) * multiplier);
}
