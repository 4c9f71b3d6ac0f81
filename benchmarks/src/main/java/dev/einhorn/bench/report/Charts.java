package dev.einhorn.bench.report;

import dev.einhorn.bench.run.LoadRun;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** PNG charts with XChart (headless): throughput and latency over time, operations marked as vertical bands. */
public final class Charts {
    private Charts() {
    }

    static Color colorOf(String command) {
        return switch (command) {
            case "upgrade" -> new Color(230, 120, 0);
            case "upgrade_fleet" -> new Color(200, 0, 0);
            default -> new Color(120, 0, 160);
        };
    }

    public static void loadChart(LoadRun.Timeline tl, List<LoadRun.Op> ops, Path png, String title) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart rate = chart(title, "requests/s (" + (int) (tl.bucketS() * 1000) + " ms buckets)");
        line(rate, "requests/s", tl.t(), tl.rps(), new Color(30, 90, 200));
        double[] failed = new double[tl.failed().length];
        boolean anyFailed = false;
        for (int i = 0; i < failed.length; i++) {
            failed[i] = tl.failed()[i] / tl.bucketS();
            anyFailed |= tl.failed()[i] > 0;
        }
        if (anyFailed) line(rate, "failed/s", tl.t(), failed, Color.BLACK);
        mark(rate, ops, max(tl.rps()) * 1.05);
        warmup(rate, max(tl.rps()) * 1.05);

        XYChart latency = chart("Latency per bucket", "latency (ms)");
        line(latency, "p50", tl.t(), tl.p50(), new Color(0, 140, 60));
        line(latency, "p99", tl.t(), tl.p99(), new Color(160, 40, 40));
        mark(latency, ops, max(tl.p99()) * 1.05);
        warmup(latency, max(tl.p99()) * 1.05);

        BufferedImage a = BitmapEncoder.getBufferedImage(rate);
        BufferedImage b = BitmapEncoder.getBufferedImage(latency);
        BufferedImage both = new BufferedImage(a.getWidth(), a.getHeight() + b.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = both.createGraphics();
        g.drawImage(a, 0, 0, null);
        g.drawImage(b, 0, a.getHeight(), null);
        g.dispose();
        ImageIO.write(both, "png", png.toFile());
    }

    private static XYChart chart(String title, String yTitle) {
        XYChart c = new XYChartBuilder().width(1100).height(420).title(title).xAxisTitle("seconds since load start")
                .yAxisTitle(yTitle).build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        c.getStyler().setYAxisMin(0.0);
        c.getStyler().setMarkerSize(0);
        return c;
    }

    private static void line(XYChart c, String name, double[] x, double[] y, Color color) {
        double[] yy = y.clone();
        for (int i = 0; i < yy.length; i++) if (Double.isNaN(yy[i])) yy[i] = 0;
        XYSeries s = c.addSeries(name, x, yy);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(color);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    }

    /** Each operation as a filled band from its start to the moment the pool settled. */
    private static void mark(XYChart c, List<LoadRun.Op> ops, double top) {
        if (!(top > 0)) top = 1;
        Set<String> named = new HashSet<>();
        int i = 0;
        for (LoadRun.Op op : ops) {
            double end = Math.max(op.settledS(), op.startS() + 0.05);
            String name = named.add(op.command()) ? op.command() : op.command() + " #" + (++i);
            XYSeries s = c.addSeries(name, new double[] {op.startS(), op.startS(), end, end},
                    new double[] {0, top, top, 0});
            Color col = colorOf(op.command());
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Area);
            s.setFillColor(new Color(col.getRed(), col.getGreen(), col.getBlue(), 50));
            s.setLineColor(col);
            s.setMarker(SeriesMarkers.NONE);
            s.setShowInLegend(!name.contains("#"));
        }
    }

    private static void warmup(XYChart c, double top) {
        double w = LoadRun.WARMUP_S;
        XYSeries s = c.addSeries("warm-up (not in steady figures)", new double[] {0, 0, w, w}, new double[] {0, top, top, 0});
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Area);
        s.setFillColor(new Color(128, 128, 128, 40));
        s.setLineColor(new Color(128, 128, 128));
        s.setMarker(SeriesMarkers.NONE);
    }

    private static double max(double[] v) {
        double m = 0;
        for (double d : v) if (!Double.isNaN(d)) m = Math.max(m, d);
        return m;
    }
}
