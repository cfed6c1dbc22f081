/** The service's configuration: one {@code @ConfigMapping} under the prefix {@code precis}. */
package dev.precis.config;
