package dev.einhorn.spring;

import dev.einhorn.runtime.Einhorn;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;

/**
 * Sends einhorn's manual ACK ({@code einhorn -m manual}) when the application is ready: the web server serves and
 * the runners have run (the moment Spring's readiness turns ACCEPTING_TRAFFIC). On an upgrade the master retires
 * the old workers only after the new ones acked, so no request goes to a worker that cannot answer it yet.
 */
class AckWhenReady implements ApplicationListener<ApplicationReadyEvent> {
    private static final Log LOG = LogFactory.getLog(AckWhenReady.class);

    @Override
    public void onApplicationEvent(ApplicationReadyEvent event) {
        Einhorn.ack();
        LOG.info("einhorn: acked to master " + Einhorn.masterPid().orElse(-1) + " (worker "
                + Einhorn.childIndex().orElse(-1) + ")");
    }
}
