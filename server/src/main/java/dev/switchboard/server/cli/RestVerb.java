package dev.switchboard.server.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A verb that calls the REST API: shares {@code --url}/{@code --key} and turns usage errors into exit 2. */
abstract class RestVerb implements Callable<Integer> {
    @Mixin
    RestOptions rest;

    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        try {
            return RestCall.run(spec.name(), rest, method(), path(), body(), spec.commandLine().getOut(), err);
        } catch (UsageError e) {
            err.println("switchboard " + spec.name() + ": " + e.getMessage());
            return 2;
        }
    }

    abstract String method();

    /** The path under the origin, e.g. {@code /v1/usage}. */
    abstract String path();

    /** The JSON body, or null for none. */
    String body() {
        return null;
    }
}
