/**
 * Colour for a person at a terminal, none with `NO_COLOR` or when the
 * output is piped.
 *
 * @module
 */

/** Whether to colour what goes to stdout. */
export function useColor(env: (k: string) => string | undefined, isTerminal: boolean): boolean {
  const no = env("NO_COLOR");
  if (no !== undefined && no !== "") return false;
  return isTerminal && env("TERM") !== "dumb";
}

/** Text styles; each is the identity when colour is off. */
export interface Style {
  on: boolean;
  bold: (s: string) => string;
  dim: (s: string) => string;
  red: (s: string) => string;
  green: (s: string) => string;
  yellow: (s: string) => string;
  cyan: (s: string) => string;
}

/** The styles, on or off. */
export function style(on: boolean): Style {
  const sgr = (code: number, reset: number) => (s: string) => on && s ? `\x1b[${code}m${s}\x1b[${reset}m` : s;
  return {
    on,
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    red: sgr(31, 39),
    green: sgr(32, 39),
    yellow: sgr(33, 39),
    cyan: sgr(36, 39),
  };
}

/** The width of a string as shown (escape codes take none). */
export function visibleLength(s: string): number {
  // deno-lint-ignore no-control-regex
  return s.replace(/\x1b\[[0-9;]*m/g, "").length;
}
