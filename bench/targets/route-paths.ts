/** The paths of the `route` scenarios' fixed and function routes (bench/targets/fastsrv-routes.ts serves them). */
export const FIXED_ROUTE = '/route/fixed.html';
export const FUNCTION_ROUTE = '/route/function.html';
