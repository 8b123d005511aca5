/**
 * Spawns a program that does not exist and prints what it raised, as JSON.
 * Run by `subprocess_test.ts` with `--allow-run=./no-such-program`: Deno
 * checks the permission before it looks for the program, so the test
 * process itself (whose `--allow-run` names only real programs) would get
 * `NotCapable`. With the argument `protocol` (`subprocess_protocol_test.ts`)
 * it spawns with `loop.subprocessExec`, and says whether the protocol was
 * made (as asyncio, before the spawn) and connected (never).
 */
import {
  createSubprocessExec,
  FileNotFoundError,
  getRunningLoop,
  OSError,
  run,
  SubprocessProtocol,
} from "../../mod.ts";

const protocolForm = Deno.args[0] === "protocol";
let protocolMade = false;
let connected = false;

class Probe extends SubprocessProtocol {
  constructor() {
    super();
    protocolMade = true;
  }
  override connectionMade() {
    connected = true;
  }
}

await run(async () => {
  try {
    if (protocolForm) {
      await getRunningLoop().subprocessExec(
        () => new Probe(),
        "./no-such-program",
      );
    } else await createSubprocessExec("./no-such-program");
  } catch (e) {
    const error = e as FileNotFoundError;
    console.log(JSON.stringify({
      name: error.name,
      fileNotFound: e instanceof FileNotFoundError,
      osError: e instanceof OSError,
      message: error.message,
      errno: error.errno,
      filename: error.filename,
      ...(protocolForm ? { protocolMade, connected } : {}),
    }));
  }
});
