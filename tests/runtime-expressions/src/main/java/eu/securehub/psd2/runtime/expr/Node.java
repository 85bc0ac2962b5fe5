package eu.securehub.psd2.runtime.expr;

import java.util.List;

/** The condition AST. */
sealed interface Node {

    boolean test(Variables vars);

    sealed interface Operand {
        Object value(Variables vars);
    }

    record Variable(String name) implements Operand {
        @Override
        public Object value(Variables vars) {
            return Values.normalize(vars.get(name));
        }
    }

    record Literal(Object value) implements Operand {
        @Override
        public Object value(Variables vars) {
            return value;
        }
    }

    record And(List<Node> parts) implements Node {
        @Override
        public boolean test(Variables vars) {
            for (Node n : parts) {
                if (!n.test(vars)) {
                    return false;
                }
            }
            return true;
        }
    }

    record Or(List<Node> parts) implements Node {
        @Override
        public boolean test(Variables vars) {
            for (Node n : parts) {
                if (n.test(vars)) {
                    return true;
                }
            }
            return false;
        }
    }

    record Not(Node inner) implements Node {
        @Override
        public boolean test(Variables vars) {
            return !inner.test(vars);
        }
    }

    record Compare(Operand left, Operator op, Operand right, Object pattern) implements Node {
        @Override
        public boolean test(Variables vars) {
            return Values.apply(op, left.value(vars), right.value(vars), pattern);
        }
    }

    /**
     * An operand standing alone ({@code <Condition>true</Condition>}, {@code <Condition>flow.flag</Condition>}):
     * true when the value is Boolean true or the string "true" (any case); unset, any other value: false.
     * UNCONFIRMED (the docs only show operator forms and the literal {@code true}); chosen to mirror how
     * {@code x = true} compares a String with a Boolean.
     */
    record Truthy(Operand operand) implements Node {
        @Override
        public boolean test(Variables vars) {
            Object v = operand.value(vars);
            return v instanceof Boolean b ? b : v != null && "true".equalsIgnoreCase(Values.asString(v));
        }
    }
}
