import { engineContract } from "./engine_contract.ts";

engineContract("http1");
