package com.apigee.flow.execution;

/**
 * Declared as Apigee's runtime provides it. The callouts receive it but call none of its
 * members, so none is declared here.
 */
public interface ExecutionContext {
}
