package com.apigee.flow.execution.spi;

import com.apigee.flow.execution.ExecutionContext;
import com.apigee.flow.execution.ExecutionResult;
import com.apigee.flow.message.MessageContext;

/** The interface every Java callout implements; declared as Apigee's runtime provides it. */
public interface Execution {
    ExecutionResult execute(MessageContext messageContext, ExecutionContext executionContext);
}
