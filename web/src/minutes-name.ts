/**
 * A minutes file name the API takes (?filename=: letters and digits of any script, spaces and
 * . _ - ( ), 1 to 120): the chosen file's name with anything else replaced, its end kept.
 */
export const minutesName = (name: string): string => {
  const cleaned = name.replace(/[^\p{L}\p{N} ._()-]/gu, '_').slice(-120);
  return cleaned.trim() === '' ? 'minutes' : cleaned;
};
