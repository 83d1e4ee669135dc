/** A share as a percentage to one decimal, without a trailing .0 ("27.3%", "50%"); "—" when there is none. */
export const percent = (share: number | null): string =>
  share === null ? '—' : `${Math.round(share * 1000) / 10}%`;
