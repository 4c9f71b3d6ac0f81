package dev.einhorn.log;

import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/** slf4j logger printing through {@link EinhornLog}; WARN prints as ERROR (Einhorn has three levels). */
final class EinhornLogger extends LegacyAbstractLogger {
    EinhornLogger(String name) {
        this.name = name;
    }

    private static int level(Level level) {
        return switch (level) {
            case TRACE, DEBUG -> EinhornLog.DEBUG;
            case INFO -> EinhornLog.INFO;
            case WARN, ERROR -> EinhornLog.ERROR;
        };
    }

    @Override
    public boolean isTraceEnabled() {
        return EinhornLog.enabled(EinhornLog.DEBUG);
    }

    @Override
    public boolean isDebugEnabled() {
        return EinhornLog.enabled(EinhornLog.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
        return EinhornLog.enabled(EinhornLog.INFO);
    }

    @Override
    public boolean isWarnEnabled() {
        return true;
    }

    @Override
    public boolean isErrorEnabled() {
        return true;
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args,
            Throwable t) {
        String message = MessageFormatter.basicArrayFormat(pattern, args);
        if (t != null) message = message + ": " + t;
        EinhornLog.log(level(level), message);
    }
}
