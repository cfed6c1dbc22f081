/**
 * Render: the kept units as one text, exactly within the budget.
 *
 * <p>{@link dev.precis.render.Renderer} writes documents in the requested order, each with its title, kept units
 * joined by their original whitespace and the elision marker where text was left out. {@link
 * dev.precis.render.BudgetFitter} counts the rendered text in the target encoding, trims the planner's latest
 * choices while it is over (binary search), fills slack with leftovers that still fit, and cuts the best unit at a
 * token boundary when not one unit fits.
 */
package dev.precis.render;
