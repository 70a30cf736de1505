/* SPDX-License-Identifier: MIT */
/*
 * The HTML report's inline assets. The script only filters and opens: every
 * finding, process and VMA is in the page without it. It reports its own
 * errors into #jserr, which the browser test reads.
 */
#include "report/html_assets.h"

const char vh_html_css[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:0 1.5em 2em;color:#222;background:#fff}"
    "header{position:sticky;top:0;background:#fff;border-bottom:1px solid #ccc;padding:.3em 0;"
    "z-index:2}h1{font-size:1.3em;margin:.2em 0;display:inline-block;margin-right:1em}"
    "nav a{margin-right:.8em}h2{border-bottom:2px solid #444;margin-top:1.5em}"
    "table{border-collapse:collapse}td,th{padding:1px 6px;text-align:left;vertical-align:top}"
    "table.list{width:100%}table.list tbody tr:nth-child(even){background:#f4f4f4}"
    "table.list th{background:#e4e4e4;position:sticky;top:2.6em}"
    "table.facts th{color:#555;font-weight:normal}"
    ".mono,pre,.hex{font-family:ui-monospace,monospace;font-size:12px}"
    "pre{margin:.2em 0;white-space:pre-wrap;word-break:break-all}"
    ".dim{color:#888}.bad,#jserr{color:#b00;font-weight:bold}"
    ".sev{display:inline-block;padding:0 .4em;border-radius:3px;color:#fff;"
    "text-decoration:none;font-size:12px}"
    ".sev.s3{background:#c00}.sev.s2{background:#e67e00}.sev.s1{background:#b59b00}"
    ".sev.s0{background:#6a7a8a}tr.s3>td:first-child{border-left:4px solid #c00}"
    "tr.s2>td:first-child{border-left:4px solid #e67e00}"
    ".cmd{color:#666;font-family:ui-monospace,monospace;font-size:12px}"
    "ul.tree,ul.tree ul{list-style:none;padding-left:1.2em;margin:0}"
    "ul.tree li{border-left:1px solid #ccc;padding-left:.4em}li.k{color:#777}"
    "section.proc{border-top:1px solid #ccc;margin-top:1em}section.proc h3{margin:.4em 0}"
    ".meta{margin:.2em 0;color:#444}"
    "svg.map{width:100%;height:auto;display:block;background:#fafafa}"
    "svg.map text{font:9px ui-monospace,monospace;fill:#555}"
    "svg.map rect{stroke:#fff;stroke-width:.3}"
    ".k-file{fill:#4a78c2}.k-anon{fill:#7aa36a}.k-heap{fill:#e0a030}.k-stack{fill:#9a5cc6}"
    ".k-spec{fill:#3aa6a6}.k-mix{fill:#b0b0b0}.k-hid{fill:#e00}"
    "svg.map rect.px{stroke:#222;stroke-width:1}svg.map rect.rwx{fill:#f22;stroke:#600;"
    "stroke-width:2}.brk{stroke:#999;fill:none}svg.map rect.agg{stroke:#333;stroke-width:.8;"
    "stroke-dasharray:3 2}svg.map text.in{fill:#fff;font-size:11px;pointer-events:none}"
    ".mk{stroke:#fff;stroke-width:.5}.mk.s3{fill:#c00}.mk.s2{fill:#e67e00}.mk.s1{fill:#b59b00}"
    ".mk.s0{fill:#6a7a8a}"
    "tr.rwx td{background:#fdd}tr:target,section:target h3,li:target{background:#ff9}"
    ".legend span{display:inline-block;padding:0 .5em;margin-right:.3em;color:#fff;"
    "border-radius:3px}.legend .k-file{background:#4a78c2}.legend .k-anon{background:#7aa36a}"
    ".legend .k-heap{background:#e0a030}.legend .k-stack{background:#9a5cc6}"
    ".legend .k-spec{background:#3aa6a6}.legend .k-mix{background:#b0b0b0}"
    ".legend .k-hid{background:#e00}.legend .rwx{background:#f22;outline:2px solid #600}"
    "input[type=search]{width:24em}footer{margin-top:2em;color:#888}";

/* No data is read from the page but its own text; no eval, no innerHTML. */
const char vh_html_js[] =
    "(function(){'use strict';\n"
    "var err=document.getElementById('jserr');\n"
    "window.addEventListener('error',function(e){err.hidden=false;"
    "err.textContent+='script error: '+e.message+'\\n';});\n"
    "function $(id){return document.getElementById(id);}\n"
    "var fq=$('fq'),fs=$('fsev'),fc=$('fcount'),rows=[].slice.call("
    "document.querySelectorAll('#ftab tbody tr'));\n"
    "rows.forEach(function(r){r._t=r.textContent.toLowerCase();});\n"
    "function ff(){var q=fq.value.toLowerCase(),s=+fs.value,n=0;rows.forEach(function(r){"
    "var ok=+r.getAttribute('data-sev')>=s&&(!q||r._t.indexOf(q)>=0);r.hidden=!ok;"
    "if(ok)n++;});fc.textContent=n+' of '+rows.length+' shown';}\n"
    "fq.addEventListener('input',ff);fs.addEventListener('change',ff);ff();\n"
    "var pq=$('pq'),procs=[].slice.call(document.querySelectorAll('section.proc'));\n"
    "pq.addEventListener('input',function(){var q=pq.value.toLowerCase();"
    "procs.forEach(function(p){p.hidden=!!q&&p.querySelector('h3').textContent"
    ".toLowerCase().indexOf(q)<0;});});\n"
    "function reveal(){var id=location.hash.slice(1),e=id&&$(id);"
    "for(var a=e;a;a=a.parentElement){if(a.tagName==='DETAILS')a.open=true;"
    "if(a.hidden)a.hidden=false;}if(e)e.scrollIntoView();}\n"
    "window.addEventListener('hashchange',reveal);reveal();\n"
    "document.documentElement.setAttribute('data-js','ok');})();\n";

const char vh_html_legend[] =
    "<p class=\"legend\">map: <span class=\"k-file\">file</span><span class=\"k-anon\">anon"
    "</span><span class=\"k-heap\">heap</span><span class=\"k-stack\">stack</span><span "
    "class=\"k-spec\">special</span><span class=\"rwx\">rwx</span><span class=\"k-hid\">"
    "outside every VMA</span><span class=\"k-mix\">mixed run</span> &middot; dashed: a run "
    "of VMAs merged in the picture (each is in the table) &middot; executable: "
    "dark outline &middot; &#9660; a finding &middot; widths are log2 of the size, a zigzag "
    "is a gap of a TiB or more; hover for ranges, click for the table row</p>\n";
