package eu.securehub.psd2.runtime.expr;

/**
 * Thrown by {@link MessageTemplate#renderStrict(Variables)} when a referenced variable is unset and the
 * reference has no default (AssignMessage / RaiseFault / ServiceCallout with
 * {@code <IgnoreUnresolvedVariables>false</IgnoreUnresolvedVariables>}).
 */
public class UnresolvedVariableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String variable;

    public UnresolvedVariableException(String variable) {
        super("Unresolved variable : " + variable);
        this.variable = variable;
    }

    /** The name of the unresolved variable. */
    public String variable() {
        return variable;
    }
}
