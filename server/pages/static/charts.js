// Draws every chart a page declares: a <div data-chart="id"> followed by
// <script type="application/json" id="id">{x, series: [{label, values, scale?}], ...}</script>.
// x holds dates as YYYY-MM-DD; each series is a line on the left axis, or on the right
// axis when its scale is "right". Marks (failing days) are drawn as red points.
(() => {
  const colours = ["#2563eb", "#d97706", "#059669", "#7c3aed"];
  const toSeconds = (day) => Date.parse(`${day}T00:00:00Z`) / 1000;

  function draw(holder) {
    const source = document.getElementById(holder.dataset.chart);
    if (!source) return;
    const spec = JSON.parse(source.textContent);
    if (!spec.x || spec.x.length === 0) {
      holder.textContent = "no data yet";
      return;
    }
    // One day alone (or runs all of one day) would stretch the time axis over years: give it
    // a week either side.
    const x = spec.x.map(toSeconds);
    const week = 7 * 86400;
    const oneDay = Math.min(...x) === Math.max(...x);
    const scales = {
      x: oneDay ? { time: true, range: () => [x[0] - week, x[0] + week] } : { time: true },
    };
    const axes = [{}, { scale: "y" }];
    if (spec.series.some((s) => s.scale === "right")) {
      scales.right = {};
      axes.push({ scale: "right", side: 1, grid: { show: false } });
    }
    const series = [
      {},
      ...spec.series.map((s, i) => ({
        label: s.label,
        scale: s.scale === "right" ? "right" : "y",
        stroke: colours[i % colours.length],
        width: 1.5,
        points: { show: spec.x.length < 60 },
      })),
    ];
    const data = [x, ...spec.series.map((s) => s.values)];
    const width = Math.max(320, Math.min(holder.clientWidth || 800, 960));
    const plot = new uPlot(
      { width, height: spec.height || 220, scales, axes, series },
      data,
      holder,
    );
    holder.dataset.drawn = String(plot.series.length - 1);
  }

  for (const holder of document.querySelectorAll("[data-chart]")) draw(holder);
})();
