package dev.switchboard.testkit.contract;

import org.junit.jupiter.api.Nested;

/** Every contract, against the engine a subclass makes: one class per engine runs them all. */
abstract class EngineContracts {

    /** A fresh engine of the implementation under test. */
    abstract Engine engine();

    @Nested
    class Broker extends BrokerContract {
        @Override
        protected Engine engine() {
            return EngineContracts.this.engine();
        }
    }

    @Nested
    class Presence extends PresenceStoreContract {
        @Override
        protected Engine engine() {
            return EngineContracts.this.engine();
        }
    }

    @Nested
    class Peers extends PeerRouterContract {
        @Override
        protected Engine engine() {
            return EngineContracts.this.engine();
        }
    }

    @Nested
    class Counters extends ClusterCountersContract {
        @Override
        protected Engine engine() {
            return EngineContracts.this.engine();
        }
    }

    @Nested
    class History extends StreamsContract {
        @Override
        protected Engine engine() {
            return EngineContracts.this.engine();
        }
    }
}
