package com.apigee.flow.message;

import com.apigee.expressions.DataProvider;

/**
 * Declared as Apigee's runtime provides it: only the flow-variable members this project uses.
 * The callouts read messages through variables ({@code request.content},
 * {@code request.header.Authorization}), so no Message type is needed.
 */
public interface MessageContext extends DataProvider {
    <T> T getVariable(String name);

    boolean setVariable(String name, Object value);

    boolean removeVariable(String name);
}
