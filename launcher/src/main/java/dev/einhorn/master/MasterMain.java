package dev.einhorn.master;

/** Parses the command line and runs the master. */
public final class MasterMain {
    private MasterMain() {}

    public static int run(String[] args) {
        return 0;
    }
}
