package dev.einhorn.bench.skeleton;

/** The floor: a JVM hello world with the master's flags that stays up (and idle) until it is killed. */
public final class IdleFloor {
    private IdleFloor() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.out.println("up");
        System.out.flush();
        Thread.sleep(600_000);
    }
}
