package dev.einhorn;

/** Entry point of bin/einhorn. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(dev.einhorn.master.MasterMain.run(args));
    }
}
