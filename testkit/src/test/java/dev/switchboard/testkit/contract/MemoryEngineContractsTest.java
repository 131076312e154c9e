package dev.switchboard.testkit.contract;

import org.junit.jupiter.api.Nested;

/** The contracts against the in-memory engine: nodes of one process on a shared bus. */
class MemoryEngineContractsTest {

    @Nested
    class Broker extends BrokerContract {
        @Override
        protected Engine engine() {
            return new Engine.Memory();
        }
    }

    @Nested
    class Presence extends PresenceStoreContract {
        @Override
        protected Engine engine() {
            return new Engine.Memory();
        }
    }

    @Nested
    class Peers extends PeerRouterContract {
        @Override
        protected Engine engine() {
            return new Engine.Memory();
        }
    }

    @Nested
    class Counters extends ClusterCountersContract {
        @Override
        protected Engine engine() {
            return new Engine.Memory();
        }
    }
}
