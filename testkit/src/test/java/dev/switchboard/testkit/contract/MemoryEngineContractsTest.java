package dev.switchboard.testkit.contract;

/** The contracts against the in-memory engine: nodes of one process on a shared bus. */
class MemoryEngineContractsTest extends EngineContracts {
    @Override
    Engine engine() {
        return new Engine.Memory();
    }
}
