package dev.switchboard.loadtest.scenario;

import dev.switchboard.loadtest.peer.Peer;
import dev.switchboard.loadtest.peer.PeerProcess;
import dev.switchboard.loadtest.peer.PeerProtocol;

/** The server a scenario drives: its description, its process (null when in-process) and its protocol. */
public record Target(Peer peer, PeerProcess process, PeerProtocol protocol, int port) {

    /** The port publishers connect to: a cluster's second node, else {@link #port} itself. */
    public int publishPort() {
        return port + peer.publishPort() - peer.port();
    }
}
