# The Switchboard server image (docs/deploy.md "Docker"). Build the jar first (./switchboard package, or any
# ./mvnw install), then: docker build -t switchboard . — the image holds only a Java 25 JRE and the jar.
FROM eclipse-temurin:25-jre

RUN groupadd --system switchboard \
    && useradd --system --gid switchboard --home-dir /var/lib/switchboard --create-home switchboard \
    && mkdir -p /etc/switchboard /var/lib/switchboard/state \
    && chown switchboard:switchboard /var/lib/switchboard/state
COPY server/target/switchboard.jar /opt/switchboard/switchboard.jar

USER switchboard
WORKDIR /var/lib/switchboard
# The configuration is mounted at /etc/switchboard/switchboard.yaml; these override its server: settings
# (docs/deploy.md "Configuration from the environment").
ENV SWITCHBOARD_HOST=0.0.0.0 \
    SWITCHBOARD_PORT=7070 \
    SWITCHBOARD_STATE_DIR=/var/lib/switchboard/state \
    SWITCHBOARD_HEALTHCHECK_PORT=7070
EXPOSE 7070
VOLUME ["/var/lib/switchboard/state"]

# Liveness on /healthz over plain HTTP, with bash alone (the JRE image has no curl). With native TLS on the main
# port, give the health endpoints a plain listener (metrics.host/port) and point SWITCHBOARD_HEALTHCHECK_PORT at it.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${SWITCHBOARD_HEALTHCHECK_PORT} && printf 'GET /healthz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n1 <&3 | grep -q ' 200 '"]

# The launcher's JVM flags (./switchboard: ZGC for tail latency, compact object headers, exit on OOM);
# SIGTERM from `docker stop` starts the graceful drain.
ENTRYPOINT ["java", "-XX:+UseCompactObjectHeaders", "-XX:+UseZGC", "-XX:+ExitOnOutOfMemoryError", \
            "-jar", "/opt/switchboard/switchboard.jar"]
CMD ["serve", "--config", "/etc/switchboard/switchboard.yaml"]
