package dev.switchboard.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.spi.Publication;
import dev.switchboard.protocol.RawJson;
import org.junit.jupiter.api.Test;

/**
 * What every {@link dev.switchboard.core.spi.Broker} must do: bring a publication to each other node subscribed
 * to its channel, once, in the publisher's order, never back to its own node, and nothing to nodes that did not
 * subscribe. "Nothing" is checked with a barrier: a later publication of the same publisher arrives first.
 */
public abstract class BrokerContract extends ThreeNodes {
    private Publication publication(String channel, String data) {
        return new Publication(app, channel, "alice", RawJson.of(data), null);
    }

    private void subscribe(dev.switchboard.core.spi.Cluster node, String channel) {
        join(node.broker().subscribe(app, channel));
    }

    @Test
    void aPublicationReachesEachSubscribedOtherNodeOnceAndNeitherItsOwnNodeNorUnsubscribedOnes() {
        subscribe(a, "room");
        subscribe(b, "room");
        subscribe(c, "elsewhere");
        a.broker().publish(publication("room", "{\"n\":1}"));
        a.broker().publish(publication("elsewhere", "\"barrier\""));
        Publication got = inB.nextPublication();
        assertThat(got.app()).isEqualTo(app);
        assertThat(got.channel()).isEqualTo("room");
        assertThat(got.from()).isEqualTo("alice");
        assertThat(got.data().toString()).isEqualTo("{\"n\":1}");
        assertThat(got.fromMetadata()).isNull();
        assertThat(inC.nextPublication().data().toString()).as("c did not subscribe to room").isEqualTo("\"barrier\"");
        b.broker().publish(publication("room", "\"from b\""));
        assertThat(inA.nextPublication().data().toString()).as("a never gets its own back").isEqualTo("\"from b\"");
        c.broker().publish(publication("room", "\"barrier\""));
        assertThat(inB.nextPublication().data().toString()).as("b got room once").isEqualTo("\"barrier\"");
    }

    @Test
    void publicationsArriveInThePublishersOrderWithTheirBytesIntact() {
        subscribe(b, "ordered");
        String metadata = "{\"name\":\"Zoë ☃\"}";
        for (int i = 0; i < 500; i++) {
            a.broker().publish(new Publication(app, "ordered", "alice", RawJson.of("{\"i\":" + i + ",\"s\":\"é\\n\"}"),
                    i % 2 == 0 ? RawJson.of(metadata) : null));
        }
        for (int i = 0; i < 500; i++) {
            Publication got = inB.nextPublication();
            assertThat(got.data().toString()).isEqualTo("{\"i\":" + i + ",\"s\":\"é\\n\"}");
            assertThat(got.fromMetadata() == null ? null : got.fromMetadata().toString())
                    .isEqualTo(i % 2 == 0 ? metadata : null);
        }
    }

    @Test
    void aPatternSubscriptionBringsMatchingChannelsAndAPublicationOnceWhateverMatchesIt() {
        subscribe(b, "devices/*/events");
        subscribe(b, "devices/7/events");
        subscribe(b, "devices/**");
        a.broker().publish(publication("devices/7/events", "1"));
        a.broker().publish(publication("devices/8/events", "2"));
        a.broker().publish(publication("other/8/events", "3"));
        // the barrier takes the patterns' path: across channels, order is only promised per path (a Redis
        // Cluster delivers each shard's channels on a connection of their own)
        a.broker().publish(publication("devices/9/events", "4"));
        assertThat(inB.nextPublication().channel()).isEqualTo("devices/7/events");
        assertThat(inB.nextPublication().channel()).isEqualTo("devices/8/events");
        assertThat(inB.nextPublication().channel()).isEqualTo("devices/9/events");
    }

    @Test
    void afterUnsubscribeNothingMoreArrivesAndAResubscribeWorks() {
        subscribe(b, "room");
        subscribe(b, "barrier");
        join(b.broker().unsubscribe(app, "room"));
        a.broker().publish(publication("room", "1"));
        a.broker().publish(publication("barrier", "2"));
        assertThat(inB.nextPublication().channel()).isEqualTo("barrier");
        subscribe(b, "room");
        b.broker().unsubscribe(app, "room");
        subscribe(b, "room"); // unsubscribe then subscribe, in that order, ends subscribed
        a.broker().publish(publication("room", "3"));
        assertThat(inB.nextPublication().data().toString()).isEqualTo("3");
    }

    @Test
    void aCountedPublicationAddsUpTheOtherNodesDeliveriesOncePerNode() {
        subscribe(a, "counted/1");
        subscribe(b, "counted/1");
        subscribe(b, "counted/*"); // matched twice on b, delivered and counted once
        subscribe(c, "counted/**");
        inB.connectionsPerPublication = 2;
        inC.connectionsPerPublication = 5;
        int delivered = join(a.broker().publishCounted(publication("counted/1", "1")));
        assertThat(delivered).isEqualTo(7);
        assertThat(inB.nextPublication().data().toString()).isEqualTo("1");
        assertThat(inC.nextPublication().data().toString()).isEqualTo("1");
        a.broker().publish(publication("counted/1", "\"barrier\""));
        assertThat(inB.nextPublication().data().toString()).as("once on b").isEqualTo("\"barrier\"");
        assertThat(join(a.broker().publishCounted(publication("nobody/here", "1")))).isZero();
    }

    @Test
    void appsAreSeparate() {
        subscribe(b, "room");
        a.broker().publish(new Publication(app + "-other", "room", "x", RawJson.of("1"), null));
        a.broker().publish(publication("room", "2"));
        assertThat(inB.nextPublication().data().toString()).isEqualTo("2");
    }
}
