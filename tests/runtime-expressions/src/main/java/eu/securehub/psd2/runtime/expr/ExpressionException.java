package eu.securehub.psd2.runtime.expr;

/**
 * A malformed condition or message template (thrown by {@code parse}, i.e. at start-up), or a template
 * function that cannot be evaluated with the values it was given (thrown by {@code render}).
 * {@link #column()} is the 1-based column in the expression's text where the problem was found.
 */
public class ExpressionException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int column;

    public ExpressionException(String message, int column) {
        super(message + " (column " + column + ")");
        this.column = column;
    }

    public ExpressionException(String message, int column, Throwable cause) {
        super(message + " (column " + column + ")", cause);
        this.column = column;
    }

    /** 1-based column in the expression text. */
    public int column() {
        return column;
    }
}
