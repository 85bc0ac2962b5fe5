package com.apigee.flow.execution;

/** Declared as Apigee's runtime provides it (the constants this project uses). */
public enum Action {
    CONTINUE,
    ABORT
}
