/**
 * lifeline's version, for `lifeline --version`: the one place it is written
 * besides `deno.json` (a test keeps the two equal; the installed copy needs
 * no `deno.json` to know it).
 *
 * @module
 */

/** The version in `deno.json`. */
export const VERSION = "0.1.0";
