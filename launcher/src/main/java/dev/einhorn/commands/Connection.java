package dev.einhorn.commands;

import dev.einhorn.protocol.Framing;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One client of the command socket: a line-assembling read buffer, a bounded write queue, and the upgrade
 * subscription its {@code upgrade} request left behind. Never blocks.
 */
public final class Connection {
    /** A client that stops reading is dropped once this much output waits for it. */
    static final int MAX_PENDING_OUTPUT = 8 << 20;

    final SocketChannel channel;
    final int id;
    final int fd;
    private final ByteArrayOutputStream partialLine = new ByteArrayOutputStream();
    private final ArrayDeque<ByteBuffer> output = new ArrayDeque<>();
    private long pendingBytes;
    private boolean closeWhenFlushed;
    private boolean closed;
    /** The request id of this connection's pending {@code upgrade}, or null. Einhorn: one id per tag. */
    private Object upgradeRequestId;
    private boolean upgradeSubscribed;
    private boolean upgradeQueued;

    public Connection(SocketChannel channel, int id, int fd) {
        this.channel = channel;
        this.id = id;
        this.fd = fd;
    }

    /** The client's number, in the order the master accepted them (carried across a re-exec). */
    public int id() {
        return id;
    }

    /** The client's socket's fd number in the master. */
    public int fd() {
        return fd;
    }

    /** The bytes of a line not yet complete (handed over across a re-exec). */
    public byte[] partialLine() {
        return partialLine.toByteArray();
    }

    /** Output not yet written (handed over across a re-exec). */
    public byte[] pendingOutput() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (ByteBuffer b : output) out.write(b.array(), b.position(), b.remaining());
        return out.toByteArray();
    }

    public int partialLineLength() {
        return partialLine.size();
    }

    public int pendingOutputLength() {
        return Math.toIntExact(pendingBytes);
    }

    /** Puts {@link #partialLine()} then {@link #pendingOutput()} into {@code out}, without an intermediate copy. */
    public void copyBufferedTo(ByteBuffer out) {
        out.put(partialLine.toByteArray());
        for (ByteBuffer b : output) out.put(b.array(), b.position(), b.remaining());
    }

    /** Restores what {@link #partialLine()} and {@link #pendingOutput()} gave in the previous image. */
    public void restore(byte[] partial, byte[] pending) {
        partialLine.write(partial, 0, partial.length);
        if (pending.length > 0) {
            output.add(ByteBuffer.wrap(pending));
            pendingBytes += pending.length;
        }
    }

    /** Einhorn's {@code [client N:fd]} label. */
    String label() {
        return "client " + id + ":" + fd;
    }

    /**
     * Appends bytes read from the socket and returns the complete lines (without their newline).
     *
     * @throws LineTooLongException when a line exceeds {@link Framing#MAX_LINE_BYTES}
     */
    List<String> takeLines(ByteBuffer read) throws LineTooLongException {
        List<String> lines = new ArrayList<>();
        while (read.hasRemaining()) {
            byte b = read.get();
            if (b == '\n') {
                lines.add(partialLine.toString(StandardCharsets.UTF_8));
                partialLine.reset();
            } else {
                if (partialLine.size() >= Framing.MAX_LINE_BYTES) throw new LineTooLongException();
                partialLine.write(b);
            }
        }
        return lines;
    }

    /** Queues an already framed line. Returns false if the client is too far behind (it must be dropped). */
    boolean send(String framedLine) {
        if (closed) return true;
        byte[] bytes = framedLine.getBytes(StandardCharsets.UTF_8);
        pendingBytes += bytes.length;
        output.add(ByteBuffer.wrap(bytes));
        return pendingBytes <= MAX_PENDING_OUTPUT;
    }

    /** Writes what the socket takes now. Returns true when nothing is left. */
    boolean flush() throws IOException {
        while (!output.isEmpty()) {
            ByteBuffer head = output.peek();
            int n = channel.write(head);
            pendingBytes -= n;
            if (head.hasRemaining()) return false;
            output.poll();
        }
        return true;
    }

    /** The bytes this client holds in the master: its unfinished request line and its unwritten replies. */
    long bufferedBytes() {
        return partialLine.size() + pendingBytes;
    }

    boolean hasPendingOutput() {
        return !output.isEmpty();
    }

    public void closeWhenFlushed() {
        closeWhenFlushed = true;
    }

    public boolean shouldCloseWhenFlushed() {
        return closeWhenFlushed;
    }

    void markClosed() {
        closed = true;
    }

    boolean isClosed() {
        return closed;
    }

    /** Streams the upgrade in flight to this client under {@code requestId}. */
    public void subscribeToUpgrade(Object requestId) {
        upgradeSubscribed = true;
        upgradeQueued = false;
        upgradeRequestId = requestId;
    }

    /** Streams the next upgrade, the one queued behind the upgrade in flight ({@link UpgradeQueue}). */
    public void queueForUpgrade(Object requestId) {
        upgradeSubscribed = true;
        upgradeQueued = true;
        upgradeRequestId = requestId;
    }

    /** The queued upgrade is starting: this client now follows it. */
    void promoteQueuedUpgrade() {
        upgradeQueued = false;
    }

    public void unsubscribeFromUpgrade() {
        upgradeSubscribed = false;
        upgradeQueued = false;
        upgradeRequestId = null;
    }

    /** Waiting for the queued upgrade: the lines of the one in flight are not for this client. */
    public boolean upgradeQueued() {
        return upgradeQueued;
    }

    public boolean upgradeSubscribed() {
        return upgradeSubscribed;
    }

    public Object upgradeRequestId() {
        return upgradeRequestId;
    }

    static final class LineTooLongException extends Exception {
        LineTooLongException() {
            super("request line longer than " + Framing.MAX_LINE_BYTES + " bytes");
        }
    }
}
