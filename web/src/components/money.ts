/** USD for the toolbar: cents, or four decimals for amounts under ten cents (prices are small). */
export const usd = (amount: number) => `$${amount.toFixed(amount !== 0 && Math.abs(amount) < 0.1 ? 4 : 2)}`;
