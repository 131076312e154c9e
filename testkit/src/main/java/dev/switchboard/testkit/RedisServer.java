package dev.switchboard.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} on 127.0.0.1 and a free port, without persistence, for the cluster tests. It can be
 * stopped and started again on the same port (a Redis restart, everything lost) and sent commands. Needs the
 * {@code redis-server} executable (Debian package {@code redis-server}; {@code ./switchboard test} installs it when
 * run as root).
 */
public final class RedisServer implements AutoCloseable {
    private final Path dir;
    private final int port;
    private final List<String> options;
    private Process process;

    private RedisServer(Path dir, int port, List<String> options) {
        this.dir = dir;
        this.port = port;
        this.options = options;
    }

    /** Starts a Redis of its own in a fresh temporary directory. */
    public static RedisServer start() {
        return start(List.of());
    }

    /** Starts a Redis of its own with {@code options} ({@code --name value} pairs) added. */
    public static RedisServer start(List<String> options) {
        try {
            RedisServer redis = new RedisServer(Files.createTempDirectory("switchboard-redis"), freePort(), options);
            redis.launch();
            return redis;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start redis-server: " + e.getMessage(), e);
        }
    }

    /** Whether a {@code redis-server} executable is installed. */
    public static boolean available() {
        return executable() != null;
    }

    private static String executable() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path candidate = Path.of(dir, "redis-server");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        Path debian = Path.of("/usr/bin/redis-server");
        return Files.isExecutable(debian) ? debian.toString() : null;
    }

    private void launch() throws IOException {
        String exe = executable();
        if (exe == null) {
            throw new IllegalStateException("redis-server is not installed (Debian: apt-get install redis-server; "
                    + "./switchboard test installs it when run as root)");
        }
        List<String> command = new ArrayList<>(List.of(exe, "--bind", "127.0.0.1", "--port", Integer.toString(port),
                "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no"));
        command.addAll(options);
        process = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                String reply = command("PING");
                if ("+PONG".equals(reply) || (reply != null && reply.startsWith("-NOAUTH"))) {
                    return; // up (and asking for a password, if it was given one)
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException("redis-server did not start on port " + port + ": "
                        + Files.readString(dir.resolve("redis.log")));
            }
            try {
                TimeUnit.MILLISECONDS.sleep(20); // polling a process that is starting up, not a test barrier
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:PORT}. */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** Sends one command and returns the first line of the reply ({@code +OK}, {@code :3}, {@code -ERR …}). */
    public String command(String... args) throws IOException {
        return reply(false, args);
    }

    /** Sends one command whose reply is a bulk string ({@code INFO}, {@code CLUSTER INFO}) and returns it. */
    public String bulkCommand(String... args) throws IOException {
        return reply(true, args);
    }

    private String reply(boolean bulk, String... args) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(5_000);
            StringBuilder out = new StringBuilder("*").append(args.length).append("\r\n");
            for (String arg : args) {
                out.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(arg)
                        .append("\r\n");
            }
            OutputStream os = socket.getOutputStream();
            os.write(out.toString().getBytes(StandardCharsets.UTF_8));
            os.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8));
            String first = in.readLine();
            if (!bulk || first == null || !first.startsWith("$") || first.equals("$-1")) {
                return first;
            }
            char[] body = new char[Integer.parseInt(first.substring(1))];
            int read = 0;
            while (read < body.length) { // the length is in bytes; these replies are ASCII
                int n = in.read(body, read, body.length - read);
                if (n < 0) {
                    break;
                }
                read += n;
            }
            return new String(body, 0, read);
        }
    }

    /** Stops Redis (SIGTERM, without saving) and waits for it to exit; its data is gone. */
    public void stop() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Starts Redis again on the same port, empty. */
    public void restart() {
        stop();
        try {
            launch();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** A port of 127.0.0.1 nothing listens on now. */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
