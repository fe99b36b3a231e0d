package io.muxflow.planner.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Line plots as PNG for the benchmark reports. */
public final class Plots {
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c),
            new Color(0xd62728), new Color(0x9467bd), new Color(0x8c564b)};

    private Plots() {
    }

    /** A series: x values and y values of equal length. */
    public record Series(double[] x, double[] y) {
    }

    public static Map<String, Series> series() {
        return new LinkedHashMap<>();
    }

    public static void line(Path png, String title, String xLabel, String yLabel, Map<String, Series> data) {
        line(png, title, xLabel, yLabel, data, false);
    }

    /** As {@link #line}, with a logarithmic y axis when {@code logY} (for values spanning decades). */
    public static void line(Path png, String title, String xLabel, String yLabel, Map<String, Series> data,
            boolean logY) {
        XYSeriesCollection ds = new XYSeriesCollection();
        for (Map.Entry<String, Series> e : data.entrySet()) {
            XYSeries s = new XYSeries(e.getKey(), false, true);
            for (int i = 0; i < e.getValue().x().length; i++) {
                s.add(e.getValue().x()[i], e.getValue().y()[i]);
            }
            ds.addSeries(s);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, ds, PlotOrientation.VERTICAL, true,
                false, false);
        chart.setBackgroundPaint(Color.WHITE);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < data.size(); i++) {
            r.setSeriesPaint(i, COLORS[i % COLORS.length]);
            r.setSeriesStroke(i, new BasicStroke(2f));
        }
        plot.setRenderer(r);
        if (logY) {
            LogarithmicAxis axis = new LogarithmicAxis(yLabel);
            axis.setStrictValuesFlag(false);
            plot.setRangeAxis(axis);
        }
        try {
            Files.createDirectories(png.toAbsolutePath().getParent());
            ChartUtils.saveChartAsPNG(png.toFile(), chart, 720, 450);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + png + ": " + e.getMessage(), e);
        }
    }
}
