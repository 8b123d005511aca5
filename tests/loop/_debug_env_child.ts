// Prints whether a new loop starts in debug mode (see debug_mode_test.ts).
import { EventLoop } from "../../mod.ts";

const loop = new EventLoop();
console.log(loop.getDebug());
loop.close();
