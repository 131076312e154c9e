package dev.switchboard.netty;

import io.netty.handler.codec.http.HttpHeaders;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Who the client is behind reverse proxies (docs/deploy.md). With no trusted proxy configured the client is the
 * TCP peer, whatever headers say. Otherwise the chain of addresses — the TCP peer (or the PROXY protocol's source,
 * {@link ProxyProtocol}), then {@code Forwarded: for=} (RFC 7239) or, without it, {@code X-Forwarded-For}, read
 * from right to left — is walked only while each hop is a trusted proxy: the first untrusted address is the
 * client. A client cannot forge its way past the proxy that appended its real address.
 *
 * <p>Per-address limits key on {@link #limitKey}: an IPv6 client on its /64, since one host usually holds a whole
 * /64 and could otherwise dodge a per-address limit by changing its low bits.
 */
final class TrustedProxies {
    /** No proxy trusted: the TCP peer is the client. */
    static final TrustedProxies NONE = new TrustedProxies(List.of());

    private record Cidr(byte[] network, int prefix) {
        boolean contains(InetAddress address) {
            byte[] bytes = address.getAddress();
            if (bytes.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (bytes[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xff << (8 - rest) & 0xff;
            return (bytes[full] & mask) == (network[full] & mask);
        }
    }

    private final List<Cidr> ranges;

    private TrustedProxies(List<Cidr> ranges) {
        this.ranges = ranges;
    }

    /**
     * Parses addresses and CIDR ranges ({@code 10.0.0.0/8}, {@code 127.0.0.1}, {@code ::1}, {@code fd00::/8}).
     *
     * @throws IllegalArgumentException naming the entry that is not a literal address or range
     */
    static TrustedProxies of(List<String> entries) {
        List<Cidr> ranges = new ArrayList<>();
        for (String entry : entries) {
            String text = entry.strip();
            int slash = text.indexOf('/');
            InetAddress address = literal(slash < 0 ? text : text.substring(0, slash));
            if (address == null) {
                throw new IllegalArgumentException("'" + entry + "' is not an IP address or CIDR range");
            }
            int bits = address.getAddress().length * 8;
            int prefix = bits;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(text.substring(slash + 1));
                } catch (NumberFormatException e) {
                    prefix = -1;
                }
                if (prefix < 0 || prefix > bits) {
                    throw new IllegalArgumentException("'" + entry + "' has a prefix length outside 0-" + bits);
                }
            }
            ranges.add(new Cidr(address.getAddress(), prefix));
        }
        return new TrustedProxies(List.copyOf(ranges));
    }

    boolean isEmpty() {
        return ranges.isEmpty();
    }

    boolean trusts(InetAddress address) {
        for (Cidr range : ranges) {
            if (range.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** The client's address for a request that reached us from {@code peer} with {@code headers}. */
    InetAddress client(InetAddress peer, HttpHeaders headers) {
        if (ranges.isEmpty() || !trusts(peer)) {
            return peer;
        }
        List<String> hops = forwardedFor(headers);
        InetAddress current = peer;
        for (int i = hops.size() - 1; i >= 0; i--) {
            InetAddress hop = literal(hops.get(i));
            if (hop == null) {
                return current; // "unknown", an obfuscated name or garbage: nothing further left can be trusted
            }
            current = hop;
            if (!trusts(hop)) {
                return hop;
            }
        }
        return current;
    }

    /**
     * The {@code for=} values of every {@code Forwarded} header in order, or else the {@code X-Forwarded-For}
     * entries; ports and IPv6 brackets removed.
     */
    private static List<String> forwardedFor(HttpHeaders headers) {
        List<String> hops = new ArrayList<>();
        List<String> forwarded = headers.getAll("Forwarded");
        if (!forwarded.isEmpty()) {
            for (String header : forwarded) {
                for (String element : header.split(",")) {
                    for (String pair : element.split(";")) {
                        int eq = pair.indexOf('=');
                        if (eq > 0 && pair.substring(0, eq).strip().equalsIgnoreCase("for")) {
                            hops.add(node(unquote(pair.substring(eq + 1).strip())));
                        }
                    }
                }
            }
            return hops;
        }
        for (String header : headers.getAll("X-Forwarded-For")) {
            for (String entry : header.split(",")) {
                if (!entry.isBlank()) {
                    hops.add(node(entry.strip()));
                }
            }
        }
        return hops;
    }

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1) : value;
    }

    /** {@code [2001:db8::1]:4711} → {@code 2001:db8::1}; {@code 192.0.2.60:8080} → {@code 192.0.2.60}. */
    private static String node(String value) {
        if (value.startsWith("[")) {
            int end = value.indexOf(']');
            return end < 0 ? value : value.substring(1, end);
        }
        int colon = value.indexOf(':');
        return colon >= 0 && value.indexOf(':', colon + 1) < 0 ? value.substring(0, colon) : value;
    }

    /** A literal IPv4 or IPv6 address, never a DNS lookup; null if {@code text} is not one. */
    static InetAddress literal(String text) {
        if (text.isEmpty() || text.length() > 45) {
            return null;
        }
        boolean ipv6 = text.indexOf(':') >= 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean ok = c == '.' || c == ':' || (c >= '0' && c <= '9')
                    || (ipv6 && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
            if (!ok) {
                return null;
            }
        }
        if (!ipv6 && text.chars().filter(c -> c == '.').count() != 3) {
            return null;
        }
        try {
            return InetAddress.getByName(text); // a literal: parsed, not resolved
        } catch (UnknownHostException | IllegalArgumentException e) {
            return null;
        }
    }

    /** What per-address limits count: the address itself, or an IPv6 address's /64. */
    static InetAddress limitKey(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address;
        }
        byte[] bytes = address.getAddress();
        for (int i = 8; i < 16; i++) {
            bytes[i] = 0;
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // 16 bytes are always a valid IPv6 address
        }
    }
}
