/** What a node knows of its caches' tag invalidations. Not API. */
package io.nearcache.internal.tags;
