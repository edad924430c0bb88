// Hostile symbol names from a real binary under real perf render as text everywhere in the UI: the
// graph, its tooltip, the top-functions table, the breadcrumb, the sandwich view, and the SVG download.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withPage } from '../harness/browser.ts';
import { MARKUP_SHOWN, runHostileProgram, TEMPLATE_SYMBOL_START } from '../harness/hostile-program.ts';
import { startLocalServer } from '../harness/local-server.ts';
import { HOSTNAME, recordThroughProxy } from '../process/server-processes.ts';
import { flameGraph, highlightedPoint, matchedPercent, screenshot } from './flame-page.ts';

describe('web UI with hostile symbol names (real binary, real perf)', () => {
  it('shows markup and a 1,700-character C++ template as text and runs none of it', async (t) => {
    const { baseUrl, dir, keyedUrl, headers } = await startLocalServer(t);
    const program = await runHostileProgram(t, dir, 300);
    const entry = await recordThroughProxy(baseUrl, HOSTNAME, program, headers);
    const svg = await (
      await fetch(`${baseUrl}/api/v1/recordings/${entry.id}/artifacts/flamegraph.svg`, { headers })
    ).text();
    assert.ok(!svg.includes('<svg onload'), 'the SVG holds no raw markup from a symbol');
    assert.ok(svg.includes('&lt;svg onload=alert`1`&gt;q&amp;amp'), 'the SVG names the function, escaped');

    await withPage(t, async (page) => {
      const dialogs: string[] = [];
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      await page.setViewportSize({ width: 1400, height: 900 });
      await page.goto(keyedUrl(`/recordings/${entry.id}`));
      await flameGraph(page).waitFor();

      const markupRow = page.getByRole('button', { name: MARKUP_SHOWN, exact: true });
      assert.equal(await markupRow.textContent(), MARKUP_SHOWN, 'the table shows the name as typed');
      const template = page.locator(
        `.top-functions button.function[title^=${JSON.stringify(TEMPLATE_SYMBOL_START)}]`,
      );
      // Cut in the middle in the table, whole in its title (and in the sandwich view).
      const templateName = (await template.getAttribute('title')) ?? '';
      assert.ok(templateName.length > 1500 && templateName.endsWith('> > >'), templateName.slice(-80));
      const shown = (await template.textContent()) ?? '';
      assert.ok(shown.length <= 48 && shown.includes('…') && shown.endsWith('> > >'), shown);

      // Search with the markup itself and hover it.
      await page.getByLabel('Search').fill('<svg onload=alert`1`>');
      await page.waitForFunction(() =>
        /^Matched: /.test(document.getElementById('search-status')?.textContent ?? ''),
      );
      assert.ok(((await matchedPercent(page)) ?? 0) > 10);
      const point = await highlightedPoint(page);
      assert.ok(point, 'the markup function is drawn');
      // A re-layout on a loaded machine can clear the hover: hover again until the tooltip is there.
      const tooltip = page.getByRole('tooltip');
      for (let attempt = 0; attempt < 10 && !(await tooltip.isVisible()); attempt++) {
        await flameGraph(page).hover({ position: (await highlightedPoint(page)) ?? point });
        await tooltip.waitFor({ timeout: 2000 }).catch(() => undefined);
      }
      assert.match((await tooltip.textContent()) ?? '', /^<svg onload=alert`1`>q&amp\d/);
      await flameGraph(page).click({ position: point });
      await page.waitForURL(/zoom=/);
      const crumb = page.getByRole('navigation', { name: 'Zoom path' }).locator('[aria-current]');
      assert.equal(await crumb.textContent(), MARKUP_SHOWN);

      // The sandwich view of the template function names it in headings, as text. The search and the
      // zoom narrow the table: cleared first, the template is listed again.
      await page.getByLabel('Search').fill('');
      await page.getByRole('button', { name: 'Reset zoom' }).click();
      await template.click();
      await page.getByRole('img', { name: `Callers of ${templateName}` }).waitFor();
      assert.equal(await page.getByRole('heading', { name: `Callees of ${templateName}` }).count(), 1);
      await screenshot(page, 'hostile-names');

      const injected = await page.evaluate(
        () => document.querySelectorAll('img, svg, script:not([src])').length,
      );
      assert.equal(injected, 0, 'no element came from a symbol name');
      assert.deepEqual(dialogs, [], 'no script from a symbol name ran');
    });
  });
});
