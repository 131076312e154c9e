package dev.switchboard.server.rest;

/**
 * The plan fields of {@code GET /v1/usage} for one app (rest-api.md §6, open-questions.md Q34), from the app's
 * optional {@code plan:} configuration. The caps themselves come from the app's {@code limits}.
 *
 * @param name            plan identifier, or null
 * @param overagesAllowed whether the plan allows going over its caps at all
 * @param overagesEnabled the operator toggle; only meaningful when allowed
 */
public record Plan(String name, boolean overagesAllowed, boolean overagesEnabled) {

    /** No configured plan: unnamed, no overages (this server does not model them). */
    public static final Plan NONE = new Plan(null, false, false);
}
