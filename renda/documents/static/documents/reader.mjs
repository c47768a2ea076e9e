// 知情知政 reader: draws each page of the PDF with pdf.js (vendored in static/vendor/pdfjs,
// never a CDN), page by page at the width of the screen. The URLs come from data attributes so
// that hashed static names work in production.
const box = document.getElementById("pdf-viewer");

async function show() {
  const status = box.querySelector("[data-role=status]");
  try {
    const pdfjs = await import(box.dataset.lib);
    pdfjs.GlobalWorkerOptions.workerSrc = box.dataset.worker;
    const pdf = await pdfjs.getDocument({
      url: box.dataset.src,
      cMapUrl: box.dataset.cmaps,
      cMapPacked: true,
      standardFontDataUrl: box.dataset.fonts,
      wasmUrl: box.dataset.wasm,
      isEvalSupported: false,
      enableXfa: false,
    }).promise;
    const ratio = window.devicePixelRatio || 1;
    for (let n = 1; n <= pdf.numPages; n += 1) {
      const page = await pdf.getPage(n);
      const width = box.clientWidth || 360;
      const viewport = page.getViewport({ scale: (width / page.getViewport({ scale: 1 }).width) * ratio });
      const canvas = document.createElement("canvas");
      canvas.width = Math.floor(viewport.width);
      canvas.height = Math.floor(viewport.height);
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label", `第 ${n} 页，共 ${pdf.numPages} 页`);
      box.appendChild(canvas);
      await page.render({ canvas, canvasContext: canvas.getContext("2d"), viewport }).promise;
      if (n === 1) status.hidden = true;
    }
    box.dataset.pages = String(pdf.numPages);
  } catch (error) {
    status.textContent = "预览失败，请点击“下载原文件”查看。";
    box.dataset.error = String(error && error.message ? error.message : error);
  }
}

if (box) show();
