package com.apigee.flow.execution;

/**
 * Declared as Apigee's runtime provides it: the two results the callouts return, the public
 * constructor those constants are built with, and the accessors a runtime reads.
 */
public class ExecutionResult {
    public static final ExecutionResult SUCCESS = new ExecutionResult(true, Action.CONTINUE);
    public static final ExecutionResult ABORT = new ExecutionResult(false, Action.ABORT);

    private final boolean success;
    private final Action action;

    public ExecutionResult(boolean success, Action action) {
        this.success = success;
        this.action = action;
    }

    public Action getAction() {
        return action;
    }

    public boolean isSuccess() {
        return success;
    }
}
