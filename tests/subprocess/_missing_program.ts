/**
 * Spawns a program that does not exist and prints what it raised, as JSON.
 * Run by `subprocess_test.ts` with `--allow-run=./no-such-program`: Deno
 * checks the permission before it looks for the program, so the test
 * process itself (whose `--allow-run` names only real programs) would get
 * `NotCapable`.
 */
import {
  createSubprocessExec,
  FileNotFoundError,
  OSError,
  run,
} from "../../mod.ts";

await run(async () => {
  try {
    await createSubprocessExec("./no-such-program");
  } catch (e) {
    const error = e as FileNotFoundError;
    console.log(JSON.stringify({
      name: error.name,
      fileNotFound: e instanceof FileNotFoundError,
      osError: e instanceof OSError,
      message: error.message,
      errno: error.errno,
      filename: error.filename,
    }));
  }
});
