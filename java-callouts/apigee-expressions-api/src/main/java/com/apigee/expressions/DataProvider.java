package com.apigee.expressions;

/**
 * Declared as Apigee's runtime provides it; the project uses no member of it directly.
 * It exists because {@code com.apigee.flow.message.MessageContext} extends it.
 */
public interface DataProvider {
}
