export const epochSeconds = (iso: string): number => Math.floor(Date.parse(iso) / 1000);
