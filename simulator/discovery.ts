/**
 * The simulator's disk adapter over `codex/discovery.ts`: reads one Codex
 * home's `config.toml` and `hooks.json` and discovers its hooks the way
 * Codex does.
 *
 * @module
 */

import { parse as parseToml } from "smol-toml";
import { discoverHooks, type Discovery } from "../codex/discovery.ts";
import { ContractError, type JsonObject } from "../codex/json.ts";
import type { VersionProfile } from "../codex/profiles.ts";

export {
  type DiscoveredHandler,
  type Discovery,
  hooksEnabled,
  type SkippedHandler,
} from "../codex/discovery.ts";

function readText(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return undefined;
  }
}

/** Discovers the hooks of `codexHome` for `profile`. */
export function discover(codexHome: string, profile: VersionProfile): Discovery {
  const configPath = `${codexHome}/config.toml`;
  const hooksJsonPath = `${codexHome}/hooks.json`;
  let config: JsonObject = {};
  const configText = readText(configPath);
  if (configText !== undefined) {
    try {
      config = parseToml(configText) as JsonObject;
    } catch (e) {
      throw new ContractError(`Error loading config.toml: ${configPath}: ${(e as Error).message}`, {
        cause: e,
      });
    }
  }
  return discoverHooks({
    profile,
    configPath,
    config,
    hooksJsonPath,
    hooksJsonText: readText(hooksJsonPath),
  });
}
