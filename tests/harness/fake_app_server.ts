/**
 * The fake Codex app-server daemon for the hub's tests: the simulator's own
 * (`simulator/fake_app_server.ts`), so that the tests and the simulator's
 * app-server scenarios run against one fake.
 *
 * @module
 */

export {
  type FakeAppServer,
  type FakeAppServerOptions,
  type FakeHandler,
  type Received,
  startFakeAppServer,
} from "../../simulator/fake_app_server.ts";
