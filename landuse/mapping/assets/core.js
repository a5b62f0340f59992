/* landuse map core (written into every map once, before the layers).
 *
 * A layer arrives as one JSON spec (see landuse/_mapping_layer.py): geometry as integer
 * running deltas in 1e-6 degree steps, a style index per feature computed in Python, and only
 * the displayed fields (categorical ones as codes into a category list).
 *
 * Each landuse layer is ONE Leaflet canvas layer (a subclass of L.Canvas, so Leaflet positions
 * it, animates zooms and redraws it after moves). Features are kept in typed arrays of
 * projected coordinates, never as one Leaflet object each, and drawn in one path per style:
 * one style function (landuse.style) maps a feature's style index to its style. Exterior
 * rings arrive counter-clockwise and holes clockwise, so the non-zero fill rule fills every
 * polygon of a style in one go, holes open.
 *
 * Pointer events are handled once per map: the topmost landuse feature under the pointer
 * (outline layers above filled ones) is found through a grid index built on first use, then
 * highlighted on a small canvas of its own. Tooltips and popups are built when shown, as DOM
 * nodes whose text is set with textContent, so attribute values are never parsed as HTML.
 * The layer control (landuse.layerControl) sets the names of landuse layers with textContent
 * too (Leaflet's own control inserts names with innerHTML).
 */
(function () {
  "use strict";
  if (window.landuse) {
    return;
  }
  // layers by name; no prototype, so a layer called "__proto__" or "constructor" is a layer
  var lu = { layers: Object.create(null), version: 4 };
  window.landuse = lu;

  // Scale bars in metres and kilometres only (folium's control_scale adds Leaflet's default,
  // which also shows feet and miles).
  L.Control.Scale.mergeOptions({ metric: true, imperial: false });

  var D2R = Math.PI / 180;
  var MAX_LAT = 85.0511287798;

  // The one style function: the per-feature style index `s` (computed in Python) picks the
  // style object. `i` is the feature's index in the layer's data.
  lu.style = function (spec, i) {
    return spec.styles[spec.s ? spec.s[i] : 0];
  };

  // --- text ---------------------------------------------------------------------------------

  var numberFormats = {};
  function formatNumber(value, digits, lang) {
    var key = lang + digits;
    if (!numberFormats[key]) {
      numberFormats[key] = new Intl.NumberFormat(lang === "zh" ? "zh-CN" : "en-US", {
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      });
    }
    return numberFormats[key].format(value);
  }

  function fieldText(spec, field, i) {
    var v;
    if (field.codes) {
      var c = field.codes[i];
      v = c === null || c < 0 ? null : field.cats[c];
    } else {
      v = field.values[i];
    }
    if (v === null || v === undefined || v === "") {
      return "—";
    }
    if (field.fmt === "num") {
      return formatNumber(v, field.digits || 0, spec.lang);
    }
    if (field.fmt === "pct") {
      return formatNumber(v * 100, field.digits || 0, spec.lang) + "%";
    }
    return String(v);
  }

  function table(spec, i, which) {
    var box = document.createElement("div");
    var tbl = document.createElement("table");
    var idx = spec[which];
    box.className = "landuse-" + which;
    for (var k = 0; k < idx.length; k++) {
      var field = spec.fields[idx[k]];
      var row = tbl.insertRow();
      var th = document.createElement("th");
      var td = document.createElement("td");
      th.textContent = field.label;
      td.textContent = fieldText(spec, field, i);
      row.appendChild(th);
      row.appendChild(td);
    }
    box.appendChild(tbl);
    return box;
  }

  // A legend swatch shows the fill as drawn: its colour at the layer's fill opacity (at
  // least a faint tint, so outline layers still show their colour).
  function tint(hex, opacity) {
    var a = opacity === undefined || opacity === null ? 1 : Math.max(opacity, 0.25);
    var v = parseInt(hex.slice(1), 16);
    return "rgba(" + (v >> 16) + "," + ((v >> 8) & 255) + "," + (v & 255) + "," + a + ")";
  }

  // --- the legend panel: one per map ------------------------------------------------------------
  //
  // Every landuse layer with a legend adds a section (its name, swatches, labels and counts) to
  // the map's ONE legend panel; a section is shown while its layer is on the map. The panel is
  // collapsible, its sections scroll, and its height is capped so that it and the other
  // controls of its column (the layer control, zoom, attribution, scale) all fit in the map:
  // it never covers them. Everything from data is set with textContent.

  var CORNERS = ["topleft", "topright", "bottomleft", "bottomright"];

  // Words of the panel itself (the map's language is that of its first landuse layer).
  function legendWord(lang) {
    return lang === "zh" ? "\u56fe\u4f8b" : "Legend"; // 图例
  }
  function collapseWord(lang) {
    return lang === "zh" ? "\u6536\u8d77\u56fe\u4f8b" : "Collapse the legend"; // 收起图例
  }

  function legendSection(spec) {
    var section = L.DomUtil.create("div", "landuse-legend-section");
    section.setAttribute("data-layer", spec.name);
    var title = L.DomUtil.create("div", "landuse-legend-title", section);
    title.textContent = spec.legend.title;
    spec.legend.items.forEach(function (item) {
      var row = L.DomUtil.create("div", "landuse-legend-item", section);
      var swatch = L.DomUtil.create("span", "landuse-swatch", row);
      swatch.style.background = tint(item.fill, item.fillOpacity);
      swatch.style.borderColor = item.stroke;
      if (item.dash) {
        swatch.style.borderStyle = "dashed";
      }
      if (typeof item.weight === "number" && isFinite(item.weight)) {
        // outline classes (the bank's priority) show their line width, 1 to 5 px
        swatch.style.borderWidth = Math.max(1, Math.min(5, item.weight)) + "px";
      }
      var label = L.DomUtil.create("span", "landuse-legend-label", row);
      label.textContent = item.label;
      if (item.count !== undefined && item.count !== null) {
        var count = L.DomUtil.create("span", "landuse-legend-count", row);
        count.textContent = " (" + formatNumber(item.count, 0, spec.lang) + ")";
      }
    });
    if (spec.legend.note) {
      var note = L.DomUtil.create("div", "landuse-legend-note", section);
      note.textContent = spec.legend.note;
    }
    section.style.display = "none"; // shown when its layer is added to the map
    return section;
  }

  var LegendPanel = L.Control.extend({
    options: { position: "bottomright", title: null, collapsed: false },

    initialize: function (options) {
      L.setOptions(this, options);
      this._lang = "zh";
      var box = (this._box = L.DomUtil.create("div", "landuse-legend"));
      var head = (this._head = L.DomUtil.create("div", "landuse-legend-head", box));
      this._heading = L.DomUtil.create("span", "landuse-legend-heading", head);
      this._close = L.DomUtil.create("button", "landuse-legend-toggle", head);
      this._close.type = "button";
      this._close.textContent = "\u2212"; // −
      this._body = L.DomUtil.create("div", "landuse-legend-body", box);
      this._open = L.DomUtil.create("button", "landuse-legend-open", box);
      this._open.type = "button";
      var panel = this;
      L.DomEvent.on(this._close, "click", function () { panel.collapse(); });
      L.DomEvent.on(this._open, "click", function () { panel.expand(); });
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      this._collapsed = !!this.options.collapsed;
      this._words();
    },

    onAdd: function (map) {
      var panel = this;
      this._fitBound = this._fitBound || function () { panel.fit(); };
      map.on("resize", this._fitBound);
      if (window.ResizeObserver && !this._observer) {
        this._observer = new ResizeObserver(this._fitBound);
      }
      return this._box;
    },

    onRemove: function (map) {
      map.off("resize", this._fitBound);
      if (this._observer) { this._observer.disconnect(); }
    },

    setLang: function (lang) {
      this._lang = lang;
      this._words();
    },

    settings: function (options) {
      L.setOptions(this, options);
      this._collapsed = !!this.options.collapsed;
      this._words();
      if (this._map && this.getPosition() !== this._placed) {
        this.setPosition(this.options.position);
        this._placed = this.getPosition();
      }
      this._refresh();
    },

    _words: function () {
      var word = legendWord(this._lang);
      this._heading.textContent = this.options.title || word;
      this._open.textContent = word;
      this._close.title = collapseWord(this._lang);
      this._close.setAttribute("aria-label", collapseWord(this._lang));
    },

    add: function (section) {
      this._body.appendChild(section);
      this._refresh();
    },

    collapse: function () { this._collapsed = true; this._refresh(); },
    expand: function () { this._collapsed = false; this._refresh(); },
    isCollapsed: function () { return this._collapsed; },

    _refresh: function () {
      var shown = [].some.call(this._body.children, function (s) { return s.style.display !== "none"; });
      this._box.style.display = shown ? "" : "none";
      L.DomUtil[this._collapsed ? "addClass" : "removeClass"](this._box, "landuse-legend-collapsed");
      this.fit();
    },

    // Cap the scrolling body so the panel and every other control it shares a column with
    // (those whose horizontal extent overlaps the panel's) fit in the map's height.
    fit: function () {
      var map = this._map, box = this._box;
      if (!map || box.style.display === "none") { return; }
      var mine = box.getBoundingClientRect(), used = 0, observer = this._observer;
      CORNERS.forEach(function (corner) {
        [].forEach.call(map._controlCorners[corner].children, function (el) {
          if (el === box) { return; }
          if (observer) { observer.observe(el); }
          var r = el.getBoundingClientRect();
          if (!r.height || r.right <= mine.left || r.left >= mine.right) { return; }
          var cs = getComputedStyle(el);
          used += r.height + parseFloat(cs.marginTop) + parseFloat(cs.marginBottom);
        });
      });
      var cs = getComputedStyle(box);
      var margins = parseFloat(cs.marginTop) + parseFloat(cs.marginBottom);
      var chrome = mine.height - this._body.getBoundingClientRect().height;
      var room = map.getSize().y - used - margins - chrome - 10;
      this._body.style.maxHeight = Math.max(room, 48) + "px";
    },
  });

  // The panel of a map, made on first use and put on the map once the page's script has run
  // (so in a top corner it sits below a layer control created in the same script).
  function legendPanel(map) {
    if (!map._luLegend) {
      var panel = (map._luLegend = new LegendPanel(map._luLegendOptions || {}));
      setTimeout(function () {
        panel.addTo(map);
        panel._placed = panel.getPosition();
        panel._refresh();
      }, 0);
    }
    return map._luLegend;
  }

  // Map-level legend settings (landuse.mapping.set_legend): position, title, collapsed.
  lu.legend = function (map, options) {
    map._luLegendOptions = L.extend({}, map._luLegendOptions || {}, options);
    var panel = legendPanel(map);
    panel.settings(map._luLegendOptions);
    return panel;
  };

  // A layer's section in its map's panel, shown while the layer is on the map.
  function addLegend(map, layer, spec) {
    var panel = legendPanel(map);
    if (!panel._sections) {
      panel._sections = 0;
      panel.setLang(spec.lang);
    }
    panel._sections += 1;
    var section = legendSection(spec);
    panel.add(section);
    layer.on("add", function () { section.style.display = ""; panel._refresh(); });
    layer.on("remove", function () { section.style.display = "none"; panel._refresh(); });
  }

  // --- geometry -------------------------------------------------------------------------------

  // World coordinates: Web Mercator scaled to [0, 1] (Leaflet's EPSG:3857 pixel space at
  // zoom z is world × 256 × 2^z); other map CRSs go through the CRS itself.
  function projector(crs) {
    if (crs === L.CRS.EPSG3857) {
      return function (lng, lat, out, k) {
        var la = Math.max(Math.min(lat, MAX_LAT), -MAX_LAT);
        out[k] = 0.5 + lng / 360;
        out[k + 1] = 0.5 - Math.log(Math.tan(Math.PI / 4 + (la * D2R) / 2)) / (2 * Math.PI);
      };
    }
    return function (lng, lat, out, k) {
      var p = crs.latLngToPoint(L.latLng(lat, lng), 0);
      out[k] = p.x / 256;
      out[k + 1] = p.y / 256;
    };
  }

  var KIND = { polygon: 0, line: 1, point: 2 };
  var BATCH = 256;

  function decode(spec, crs) {
    var project = projector(crs);
    var nf = 0, np = 0, nr = 0, nv = 0;
    spec.geoms.forEach(function (g) {
      var count = g.ids ? g.ids.length : g.np.length;
      nf += count;
      for (var f = 0; f < count; f++) { np += g.np[f]; }
      var rings = g.nr ? g.nr.reduce(function (a, b) { return a + b; }, 0) : 0;
      nr += g.nr ? rings : g.np.reduce(function (a, b) { return a + b; }, 0);
      nv += g.xy.length / 2;
    });
    var d = {
      n: nf,
      id: new Int32Array(nf),
      kind: new Uint8Array(nf),
      featPart: new Int32Array(nf + 1),
      partRing: new Int32Array(np + 1),
      ringVert: new Int32Array(nr + 1),
      xy: new Float64Array(2 * nv),
      box: new Float64Array(4 * nf),
      lonlat: new Float64Array(4 * nf),
    };
    var F = 0, P = 0, R = 0, V = 0;
    spec.geoms.forEach(function (g) {
      var x = spec.origin[0], y = spec.origin[1], k = 0, p = 0, q = 0;
      var count = g.ids ? g.ids.length : g.np.length;
      for (var f = 0; f < count; f++, F++) {
        d.id[F] = g.ids ? g.ids[f] : f;
        d.kind[F] = KIND[g.kind];
        d.featPart[F] = P;
        var minx = Infinity, miny = Infinity, maxx = -Infinity, maxy = -Infinity;
        var minLon = Infinity, minLat = Infinity, maxLon = -Infinity, maxLat = -Infinity;
        for (var a = 0; a < g.np[f]; a++, p++, P++) {
          d.partRing[P] = R;
          var rings = g.nr ? g.nr[p] : 1;
          for (var b = 0; b < rings; b++, q++, R++) {
            d.ringVert[R] = V;
            var verts = g.nv ? g.nv[q] : 1;
            for (var c = 0; c < verts; c++, V++) {
              x += g.xy[k++];
              y += g.xy[k++];
              var lng = x * 1e-6, lat = y * 1e-6;
              project(lng, lat, d.xy, 2 * V);
              var wx = d.xy[2 * V], wy = d.xy[2 * V + 1];
              if (wx < minx) { minx = wx; }
              if (wx > maxx) { maxx = wx; }
              if (wy < miny) { miny = wy; }
              if (wy > maxy) { maxy = wy; }
              if (lng < minLon) { minLon = lng; }
              if (lng > maxLon) { maxLon = lng; }
              if (lat < minLat) { minLat = lat; }
              if (lat > maxLat) { maxLat = lat; }
            }
          }
        }
        d.box[4 * F] = minx; d.box[4 * F + 1] = miny; d.box[4 * F + 2] = maxx; d.box[4 * F + 3] = maxy;
        d.lonlat[4 * F] = minLon; d.lonlat[4 * F + 1] = minLat;
        d.lonlat[4 * F + 2] = maxLon; d.lonlat[4 * F + 3] = maxLat;
      }
    });
    d.featPart[F] = P;
    d.partRing[P] = R;
    d.ringVert[R] = V;
    // features grouped by style (counting sort), for one path per style
    var k = spec.styles.length, counts = new Int32Array(k + 1), order = new Int32Array(nf);
    for (var i = 0; i < nf; i++) { counts[(spec.s ? spec.s[d.id[i]] : 0) + 1]++; }
    for (var j = 0; j < k; j++) { counts[j + 1] += counts[j]; }
    d.styleStart = counts.slice();
    for (var m = 0; m < nf; m++) { order[counts[spec.s ? spec.s[d.id[m]] : 0]++] = m; }
    d.byStyle = order;
    d.pos = new Int32Array(spec.n).fill(-1); // data index -> feature slot
    for (var t = 0; t < nf; t++) { d.pos[d.id[t]] = t; }
    return d;
  }

  function dashOf(style) {
    if (!style.dashArray) { return []; }
    return String(style.dashArray).split(/[ ,]+/).map(Number).filter(function (v) { return !isNaN(v); });
  }

  // Trace feature F (slot) into the current path, in layer pixels.
  function trace(ctx, d, F, scale, ox, oy, radius) {
    var kind = d.kind[F];
    for (var P = d.featPart[F]; P < d.featPart[F + 1]; P++) {
      for (var R = d.partRing[P]; R < d.partRing[P + 1]; R++) {
        var v0 = d.ringVert[R], v1 = d.ringVert[R + 1];
        var x = d.xy[2 * v0] * scale - ox, y = d.xy[2 * v0 + 1] * scale - oy;
        if (kind === 2) {
          ctx.moveTo(x + radius, y);
          ctx.arc(x, y, radius, 0, 2 * Math.PI);
          continue;
        }
        ctx.moveTo(x, y);
        for (var v = v0 + 1; v < v1; v++) {
          ctx.lineTo(d.xy[2 * v] * scale - ox, d.xy[2 * v + 1] * scale - oy);
        }
        if (kind === 0) { ctx.closePath(); }
      }
    }
  }

  function paint(ctx, style, filled) {
    if (filled && style.fill !== false) {
      ctx.globalAlpha = style.fillOpacity === undefined ? 0.2 : style.fillOpacity;
      ctx.fillStyle = style.fillColor || style.color;
      ctx.fill("nonzero");
    }
    if (style.stroke !== false && (style.weight === undefined || style.weight > 0)) {
      ctx.globalAlpha = style.opacity === undefined ? 1 : style.opacity;
      ctx.strokeStyle = style.color;
      ctx.lineWidth = style.weight === undefined ? 3 : style.weight;
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.setLineDash(dashOf(style));
      ctx.stroke();
    }
  }

  // --- hit testing ------------------------------------------------------------------------------

  function buildGrid(d) {
    var minx = Infinity, miny = Infinity, maxx = -Infinity, maxy = -Infinity, F;
    for (F = 0; F < d.n; F++) {
      minx = Math.min(minx, d.box[4 * F]); miny = Math.min(miny, d.box[4 * F + 1]);
      maxx = Math.max(maxx, d.box[4 * F + 2]); maxy = Math.max(maxy, d.box[4 * F + 3]);
    }
    var side = Math.max(1, Math.min(1024, Math.ceil(Math.sqrt(d.n))));
    var w = Math.max(maxx - minx, 1e-12) / side, h = Math.max(maxy - miny, 1e-12) / side;
    var cell = function (v, lo, size) { return Math.max(0, Math.min(side - 1, Math.floor((v - lo) / size))); };
    var counts = new Int32Array(side * side + 1), gx, gy;
    for (F = 0; F < d.n; F++) {
      for (gy = cell(d.box[4 * F + 1], miny, h); gy <= cell(d.box[4 * F + 3], miny, h); gy++) {
        for (gx = cell(d.box[4 * F], minx, w); gx <= cell(d.box[4 * F + 2], minx, w); gx++) {
          counts[gy * side + gx + 1]++;
        }
      }
    }
    for (var c = 0; c < side * side; c++) { counts[c + 1] += counts[c]; }
    var start = counts.slice(), items = new Int32Array(counts[side * side]);
    for (F = 0; F < d.n; F++) {
      for (gy = cell(d.box[4 * F + 1], miny, h); gy <= cell(d.box[4 * F + 3], miny, h); gy++) {
        for (gx = cell(d.box[4 * F], minx, w); gx <= cell(d.box[4 * F + 2], minx, w); gx++) {
          items[counts[gy * side + gx]++] = F;
        }
      }
    }
    return { minx: minx, miny: miny, w: w, h: h, side: side, start: start, items: items, cell: cell };
  }

  function segDist2(px, py, ax, ay, bx, by) {
    var dx = bx - ax, dy = by - ay, t = 0, l2 = dx * dx + dy * dy;
    if (l2 > 0) { t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / l2)); }
    var ex = ax + t * dx - px, ey = ay + t * dy - py;
    return ex * ex + ey * ey;
  }

  // Is world point (px, py) on feature F? `tol` in world units; `edgeOnly` for outlines.
  function hitFeature(d, F, px, py, tol, edgeOnly, radius) {
    var kind = d.kind[F], inside = false, tol2 = tol * tol;
    for (var P = d.featPart[F]; P < d.featPart[F + 1]; P++) {
      for (var R = d.partRing[P]; R < d.partRing[P + 1]; R++) {
        var v0 = d.ringVert[R], v1 = d.ringVert[R + 1];
        if (kind === 2) {
          var dx = d.xy[2 * v0] - px, dy = d.xy[2 * v0 + 1] - py, r = radius + tol;
          if (dx * dx + dy * dy <= r * r) { return true; }
          continue;
        }
        var closed = kind === 0;
        for (var v = v0; v < v1; v++) {
          var w = v + 1 < v1 ? v + 1 : (closed ? v0 : -1);
          if (w < 0) { break; }
          var ax = d.xy[2 * v], ay = d.xy[2 * v + 1], bx = d.xy[2 * w], by = d.xy[2 * w + 1];
          if (segDist2(px, py, ax, ay, bx, by) <= tol2) { return true; }
          if (closed && ((ay > py) !== (by > py)) && px < ((bx - ax) * (py - ay)) / (by - ay) + ax) {
            inside = !inside;
          }
        }
      }
    }
    return kind === 0 && !edgeOnly && inside;
  }

  // --- the layer ----------------------------------------------------------------------------------

  var FeatureLayer = L.Canvas.extend({
    initialize: function (spec, options) {
      L.Canvas.prototype.initialize.call(this, L.extend({ padding: 0.3 }, options));
      this._spec = spec;
      this._drawn = 0;
    },

    onAdd: function (map) {
      if (!this._data) {
        this._data = decode(this._spec, map.options.crs);
      }
      // L.Renderer's onAdd (L.Canvas's would draw a second time right after _update)
      L.Renderer.prototype.onAdd.call(this, map);
      this._container.style.pointerEvents = "none";
    },

    _update: function () {
      if (this._map._animatingZoom && this._bounds) {
        return;
      }
      L.Canvas.prototype._update.call(this);
      this._draw();
    },

    // L.Canvas redraws its path layers on its own "update" event (fired by _update above,
    // after the canvas was cleared); this layer has none and draws itself once in _update.
    // Without this, some moves (a pan) painted every feature twice: fills at 1 - (1 - a)^2.
    _updatePaths: function () {},

    // Draw every feature in view: one path (fill + stroke) per style.
    _draw: function () {
      var ctx = this._ctx, map = this._map, spec = this._spec, d = this._data;
      if (!ctx || !map || !d) { return; }
      var scale = 256 * Math.pow(2, map.getZoom()), origin = map.getPixelOrigin();
      var b = this._bounds, ox = origin.x, oy = origin.y;
      var vminx = (b.min.x + ox) / scale, vminy = (b.min.y + oy) / scale;
      var vmaxx = (b.max.x + ox) / scale, vmaxy = (b.max.y + oy) / scale;
      var drawn = 0;
      ctx.save();
      for (var s = 0; s < spec.styles.length; s++) {
        var style = spec.styles[s], radius = style.radius || 6, batch = 0;
        var pad = (radius + (style.weight || 0)) / scale;
        ctx.beginPath();
        for (var j = d.styleStart[s]; j < d.styleStart[s + 1]; j++) {
          var F = d.byStyle[j];
          if (d.box[4 * F] > vmaxx + pad || d.box[4 * F + 2] < vminx - pad ||
              d.box[4 * F + 1] > vmaxy + pad || d.box[4 * F + 3] < vminy - pad) {
            continue;
          }
          var bw = (d.box[4 * F + 2] - d.box[4 * F]) * scale;
          var bh = (d.box[4 * F + 3] - d.box[4 * F + 1]) * scale;
          if (bw < 1.5 && bh < 1.5 && d.kind[F] !== 2) {
            // smaller than a pixel or two at this zoom: its box is all that can be seen
            ctx.rect(d.box[4 * F] * scale - ox, d.box[4 * F + 1] * scale - oy, Math.max(bw, 0.5), Math.max(bh, 0.5));
          } else {
            trace(ctx, d, F, scale, ox, oy, radius);
          }
          drawn++;
          // paint in batches: one fill and one stroke per few hundred features (a canvas
          // path of tens of thousands of rings gets slow to build)
          if (++batch === BATCH) {
            paint(ctx, style, true);
            ctx.beginPath();
            batch = 0;
          }
        }
        if (batch) { paint(ctx, style, true); }
      }
      ctx.restore();
      this._drawn = drawn;
      this._drawnAt = performance.now();
    },

    // The feature (data index) under world point (px, py), or -1; topmost (last drawn) wins.
    _hit: function (px, py, tolPx, edgeOnly) {
      var d = this._data, spec = this._spec;
      if (!d || !d.n) { return -1; }
      if (!this._grid) { this._grid = buildGrid(d); }
      var g = this._grid, scale = 256 * Math.pow(2, this._map.getZoom()), best = -1;
      var gx = Math.floor((px - g.minx) / g.w), gy = Math.floor((py - g.miny) / g.h);
      var reach = 1 + Math.ceil((tolPx + 12) / scale / Math.min(g.w, g.h));
      for (var cy = Math.max(0, gy - reach); cy <= Math.min(g.side - 1, gy + reach); cy++) {
        for (var cx = Math.max(0, gx - reach); cx <= Math.min(g.side - 1, gx + reach); cx++) {
          var c = cy * g.side + cx;
          for (var k = g.start[c]; k < g.start[c + 1]; k++) {
            var F = g.items[k], i = d.id[F];
            if (F <= best) { continue; }
            var style = lu.style(spec, i), radius = (style.radius || 6) / scale;
            var tol = (tolPx + (style.weight || 0) / 2) / scale;
            if (d.box[4 * F] - tol - radius > px || d.box[4 * F + 2] + tol + radius < px ||
                d.box[4 * F + 1] - tol - radius > py || d.box[4 * F + 3] + tol + radius < py) {
              continue;
            }
            if (hitFeature(d, F, px, py, tol, edgeOnly, radius)) { best = F; }
          }
        }
      }
      return best < 0 ? -1 : d.id[best];
    },

    // --- API for people and tests -------------------------------------------------------------
    featureCount: function () { return this._data ? this._data.n : 0; },
    drawnCount: function () { return this._map ? this._drawn : 0; },
    featureBounds: function (i) {
      var d = this._data, F = d.pos[i];
      return L.latLngBounds([d.lonlat[4 * F + 1], d.lonlat[4 * F]], [d.lonlat[4 * F + 3], d.lonlat[4 * F + 2]]);
    },
    featureCenter: function (i) { return this.featureBounds(i).getCenter(); },
    getBounds: function () {
      var d = this._data, bounds = L.latLngBounds([]);
      for (var F = 0; F < d.n; F++) {
        bounds.extend([d.lonlat[4 * F + 1], d.lonlat[4 * F]]);
        bounds.extend([d.lonlat[4 * F + 3], d.lonlat[4 * F + 2]]);
      }
      return bounds;
    },
    featureAt: function (latlng) {
      var w = [0, 0];
      projector(this._map.options.crs)(latlng.lng, latlng.lat, w, 0);
      return this._hit(w[0], w[1], 3, this._spec.role === "outline" && this._map._lu.fills > 0);
    },
  });

  // The hovered feature, redrawn with its highlight style on a canvas of its own.
  var Highlight = L.Canvas.extend({
    onAdd: function (map) {
      L.Renderer.prototype.onAdd.call(this, map);
      this._container.style.pointerEvents = "none";
    },
    _update: function () {
      if (this._map._animatingZoom && this._bounds) { return; }
      L.Canvas.prototype._update.call(this);
      this._draw();
    },
    _draw: function () {
      var t = this._target, ctx = this._ctx, map = this._map;
      if (!t || !ctx || !map || !t.layer._map) { return; }
      var spec = t.layer._spec, d = t.layer._data, F = d.pos[t.index];
      var style = L.extend({}, lu.style(spec, t.index), spec.highlight || {});
      var scale = 256 * Math.pow(2, map.getZoom()), origin = map.getPixelOrigin();
      ctx.save();
      ctx.beginPath();
      trace(ctx, d, F, scale, origin.x, origin.y, style.radius || 6);
      paint(ctx, style, false);
      ctx.restore();
    },
    show: function (layer, index) {
      var same = this._target && this._target.layer === layer && this._target.index === index;
      if (same || !this._ctx) { return; }
      this._target = layer ? { layer: layer, index: index } : null;
      this._redrawBounds = null;
      this._clear();
      this._draw();
    },
  });

  // --- one set of pointer handlers per map ---------------------------------------------------------

  function interaction(map) {
    if (map._lu) { return map._lu; }
    var st = { layers: [], fills: 0, hover: null, frame: null };
    map._lu = st;
    ["landuse-outlines", "landuse-highlight"].forEach(function (name, k) {
      var pane = map.createPane(name);
      pane.style.zIndex = 450 + 10 * k;
      pane.style.pointerEvents = "none";
    });
    st.highlight = new Highlight({ pane: "landuse-highlight", padding: 0.3 }).addTo(map);
    st.tooltip = L.tooltip({ direction: "top", offset: [0, -12], className: "landuse-tip", opacity: 0.95 });

    // topmost first: outline layers (their pane is above), then filled ones; later above earlier
    function hitAt(e) {
      var w = [0, 0];
      projector(map.options.crs)(e.latlng.lng, e.latlng.lat, w, 0);
      var ordered = st.layers.filter(function (l) { return l._map && l._spec.role === "outline"; }).reverse()
        .concat(st.layers.filter(function (l) { return l._map && l._spec.role !== "outline"; }).reverse());
      for (var k = 0; k < ordered.length; k++) {
        var layer = ordered[k], spec = layer._spec;
        if (!spec.tooltip.length && !spec.popup.length) { continue; }
        var i = layer._hit(w[0], w[1], 3, spec.role === "outline" && st.fills > 0);
        if (i >= 0) { return { layer: layer, index: i }; }
      }
      return null;
    }

    function hover(e) {
      var hit = hitAt(e);
      map.getContainer().style.cursor = hit ? "pointer" : "";
      if (!hit) {
        st.hover = null;
        st.highlight.show(null);
        map.closeTooltip(st.tooltip);
        return;
      }
      var changed = !st.hover || st.hover.layer !== hit.layer || st.hover.index !== hit.index;
      st.hover = hit;
      st.highlight.show(hit.layer, hit.index);
      if (hit.layer._spec.tooltip.length) {
        if (changed) { st.tooltip.setContent(table(hit.layer._spec, hit.index, "tooltip")); }
        st.tooltip.setLatLng(e.latlng);
        if (!map.hasLayer(st.tooltip)) { map.openTooltip(st.tooltip); }
      } else {
        map.closeTooltip(st.tooltip);
      }
    }

    map.on("mousemove", function (e) {
      st.last = e;
      if (!st.frame) {
        st.frame = L.Util.requestAnimFrame(function () {
          st.frame = null;
          if (map._lu) { hover(st.last); }
        });
      }
    });
    map.on("mouseout", function () {
      st.hover = null;
      st.highlight.show(null);
      map.closeTooltip(st.tooltip);
    });
    map.on("click", function (e) {
      var hit = hitAt(e);
      if (!hit || !hit.layer._spec.popup.length) { return; }
      L.popup({ maxWidth: 420, className: "landuse-popup-box" })
        .setLatLng(e.latlng)
        .setContent(table(hit.layer._spec, hit.index, "popup"))
        .openOn(map);
    });
    return st;
  }

  // --- the layer control -------------------------------------------------------------------------

  // Leaflet's layer control, except that the names of layers marked as text are set with
  // textContent (Leaflet inserts every name with innerHTML).
  var LayerControl = L.Control.Layers.extend({
    _addItem: function (obj) {
      if (!this._luText || !this._luText[L.Util.stamp(obj.layer)]) {
        return L.Control.Layers.prototype._addItem.call(this, obj);
      }
      var label = L.Control.Layers.prototype._addItem.call(this, L.extend({}, obj, { name: "" }));
      // label > span (holder) > [input, span (name)], as Leaflet 1.x builds it
      label.firstChild.lastChild.textContent = " " + obj.name;
      return label;
    },
  });

  // spec: {layers: [{name, overlay, text}]}, layers: the Leaflet layers in the same order.
  lu.layerControl = function (map, spec, layers, options) {
    var control = new LayerControl(null, null, options);
    control._luText = {};
    spec.layers.forEach(function (entry, k) {
      if (entry.text) {
        control._luText[L.Util.stamp(layers[k])] = true;
      }
      if (entry.overlay) {
        control.addOverlay(layers[k], entry.name);
      } else {
        control.addBaseLayer(layers[k], entry.name);
      }
    });
    return control.addTo(map);
  };

  // Build the layer (not yet on the map: folium adds it).
  lu.layer = function (map, spec) {
    var st = interaction(map);
    var outline = spec.role === "outline";
    var layer = new FeatureLayer(spec, { pane: outline ? "landuse-outlines" : "overlayPane" });
    st.layers.push(layer);
    if (!outline) {
      layer.on("add", function () { st.fills += 1; });
      layer.on("remove", function () { st.fills = Math.max(st.fills - 1, 0); });
    }
    layer.on("remove", function () {
      if (st.hover && st.hover.layer === layer) {
        st.hover = null;
        st.highlight.show(null);
        map.closeTooltip(st.tooltip);
      }
    });
    if (spec.legend) {
      addLegend(map, layer, spec);
    }
    lu.layers[spec.name] = layer;
    return layer;
  };
})();
