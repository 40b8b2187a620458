package dev.greenloop.control.policy;

/** What the policy would like an actuator set to, and the rule that says so. */
public record Proposal(double value, String reason) {
}
